package org.phong.zenflow.logging.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The module's web rules exist twice: WEB-INF/web.xml of the WAR (a container reads no web-fragment.xml from
 * WEB-INF/classes) and META-INF/web-fragment.xml of the module jar (what an engine's WAR gets). Both must
 * say the same: login, the live tails' constraint, the roles.
 */
class WebFragmentTest {
    private static final List<String> RULES = List.of("login-config", "security-constraint", "security-role");

    @Test
    void theFragmentCarriesTheWarsSecurityRules() throws Exception {
        Document war = parse(Path.of("src/main/webapp/WEB-INF/web.xml"));
        Document fragment = parse(Path.of("src/main/resources/META-INF/web-fragment.xml"));
        for (String rule : RULES) {
            List<String> inWar = texts(war, rule);
            assertFalse(inWar.isEmpty(), "web.xml has " + rule);
            assertEquals(inWar, texts(fragment, rule), rule + " differs between web.xml and web-fragment.xml");
        }
    }

    private static Document parse(Path file) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        return f.newDocumentBuilder().parse(file.toFile());
    }

    /** @return each element's text content, whitespace collapsed, in document order */
    private static List<String> texts(Document doc, String element) {
        NodeList nodes = doc.getElementsByTagNameNS("*", element);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) out.add(((Element) nodes.item(i)).getTextContent().replaceAll("\\s+", " ").trim());
        return out;
    }
}
