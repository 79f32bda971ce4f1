package org.phong.zenflow.logging.security;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The guard's list of local defaults is the one security-local.xml really configures. */
class LocalCredentialsTest {
    @Test
    void theLocalRegistryUsesExactlyTheListedUsersAndDefaultPasswords() throws Exception {
        Document d = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(Path.of("src/main/liberty/config/security-local.xml").toFile());
        Map<String, String> variables = new HashMap<>();
        NodeList vars = d.getElementsByTagName("variable");
        for (int i = 0; i < vars.getLength(); i++) {
            Element v = (Element) vars.item(i);
            variables.put(v.getAttribute("name"), v.getAttribute("defaultValue"));
        }
        Map<String, String> users = new HashMap<>();
        NodeList us = ((Element) d.getElementsByTagName("basicRegistry").item(0)).getElementsByTagName("user");
        for (int i = 0; i < us.getLength(); i++) {
            Element u = (Element) us.item(i);
            String pw = u.getAttribute("password");
            assertTrue(pw.startsWith("${") && pw.endsWith("}"), "password of " + u.getAttribute("name") + " is a variable");
            String def = variables.get(pw.substring(2, pw.length() - 1));
            assertNotNull(def, "default of " + pw);
            users.put(u.getAttribute("name"), def);
        }
        assertEquals(LocalCredentials.DEFAULTS, users);
    }
}
