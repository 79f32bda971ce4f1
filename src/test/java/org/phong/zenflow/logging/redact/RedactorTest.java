package org.phong.zenflow.logging.redact;

import static org.junit.jupiter.api.Assertions.*;

import jakarta.json.JsonObject;
import jakarta.json.spi.JsonProvider;
import java.io.StringReader;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.phong.zenflow.logging.api.LogEntry;
import org.phong.zenflow.logging.config.ConfigReader;
import org.phong.zenflow.logging.config.SecuritySettings;
import org.phong.zenflow.logging.testing.Entries;

class RedactorTest {
    private static final Redactor R = Redactor.from(SecuritySettings.defaults());

    private static Redactor with(String... kv) {
        Properties p = new Properties();
        for (int i = 0; i < kv.length; i += 2) p.setProperty(kv[i], kv[i + 1]);
        return Redactor.from(SecuritySettings.from(ConfigReader.overProperties(p)));
    }

    private static JsonObject json(String s) {
        return JsonProvider.provider().createReader(new StringReader(s)).readObject();
    }

    @Test
    void passwordsInKeyValueFormsAreMaskedKeepingTheKey() {
        assertEquals("login password=[REDACTED] ok", R.redactText("login password=hunter2 ok"));
        assertEquals("DB_PASSWORD: [REDACTED]", R.redactText("DB_PASSWORD: s3cr3t!"));
        assertEquals("{\"pwd\":\"[REDACTED]\"}", R.redactText("{\"pwd\":\"abc\"}"));
        assertEquals("client_secret='[REDACTED]'&x=1", R.redactText("client_secret='xyz'&x=1"));
        assertEquals("passphrase = [REDACTED], next", R.redactText("passphrase = correct-horse, next"));
    }

    @Test
    void bearerTokensJwtsAndApiKeysAreMasked() {
        assertEquals("Authorization: Bearer [REDACTED]", R.redactText("Authorization: Bearer abcdef123456.xyz"));
        assertEquals("auth basic [REDACTED]", R.redactText("auth basic dXNlcjpwYXNzd29yZA=="));
        assertEquals("token [REDACTED] end", R.redactText("token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig-nature end"));
        assertEquals("key [REDACTED]", R.redactText("key AKIAIOSFODNN7EXAMPLE"));
        assertEquals("use [REDACTED] now", R.redactText("use sk-abcdefghijklmnopqrstuvwx now"));
        assertEquals("gh [REDACTED]", R.redactText("gh ghp_abcdefghijklmnopqrstuvwxyz0123456789"));
        assertEquals("x-api-key=[REDACTED]", R.redactText("x-api-key=k-123"));
        assertEquals("apiKey: [REDACTED]", R.redactText("apiKey: 9f8e"));
    }

    @Test
    void ordinaryTextIsTheSameInstance() {
        String s = "fetched 42 orders in 12 ms; passwords were not touched; the basic plan";
        assertSame(s, R.redactText(s));
        LogEntry e = Entries.valid().message(s).metadata("{\"count\":42,\"note\":\"token count 7\"}").build();
        assertSame(e, R.apply(e));
    }

    @Test
    void metadataMembersNamedLikeSecretsAreMaskedWholeAndStringsScanned() {
        String in = "{\"user\":\"bob\",\"password\":\"p@ss\",\"db_password\":1234,\"nested\":{\"apiKey\":{\"a\":1},"
                + "\"headers\":[\"Authorization: Bearer abcdefgh12345\",\"x\"]},\"passwordHint\":\"dog\",\"n\":null}";
        JsonObject out = json(R.redactMetadata(in));
        assertEquals("bob", out.getString("user"));
        assertEquals("[REDACTED]", out.getString("password"));
        assertEquals("[REDACTED]", out.getString("db_password"));
        assertEquals("[REDACTED]", out.getJsonObject("nested").getString("apiKey"));
        assertEquals("Authorization: Bearer [REDACTED]", out.getJsonObject("nested").getJsonArray("headers").getString(0));
        assertEquals("x", out.getJsonObject("nested").getJsonArray("headers").getString(1));
        assertEquals("dog", out.getString("passwordHint"));
        assertTrue(out.isNull("n"));
        String plain = "{\"a\":\"b\",\"c\":[1,2]}";
        assertSame(plain, R.redactMetadata(plain));
    }

    @Test
    void escapedQuotesInsideSecretsNeverBreakTheJson() {
        String in = "{\"note\":\"password=ab\\\"cd\\\\ef\",\"k\":\"v\"}";
        JsonObject out = json(R.redactMetadata(in));
        assertFalse(out.getString("note").contains("ab"), out.toString());
        assertEquals("v", out.getString("k"));
    }

    @Test
    void applyKeepsEveryOtherFieldAndTheSeq() {
        UUID wf = UUID.randomUUID();
        LogEntry e = Entries.valid().workflowId(wf).message("password=hunter2").metadata("{\"secret\":\"s\"}")
                .errorCode("E1").traceId("t").hierarchy("root/x").build().withSeq(7);
        LogEntry r = R.apply(e);
        assertEquals("password=[REDACTED]", r.message());
        assertEquals("{\"secret\":\"[REDACTED]\"}", r.metadata());
        assertEquals(7, r.seq());
        assertEquals(e.ts(), r.ts());
        assertEquals(wf, r.workflowId());
        assertEquals(e.runId(), r.runId());
        assertEquals("E1", r.errorCode());
        assertEquals(e.level(), r.level());
    }

    @Test
    void customPatternWithAndWithoutSecretGroupAndOwnMask() {
        Redactor r = with(SecuritySettings.REDACTION_RULES, "", SecuritySettings.REDACTION_CUSTOM_PATTERN,
                "ssn=(?<secret>\\d{3}-\\d{2}-\\d{4})|\\b4[0-9]{15}\\b", SecuritySettings.REDACTION_MASK, "###");
        assertEquals("ssn=### card ###", r.redactText("ssn=123-45-6789 card 4111111111111111"));
        assertEquals("password=x", r.redactText("password=x"), "built-in rules off");
    }

    @Test
    void disabledOrNoRulesIsNone() {
        assertTrue(with(SecuritySettings.REDACTION_ENABLED, "false").isNone());
        assertTrue(with(SecuritySettings.REDACTION_RULES, "").isNone());
        assertSame(Redactor.NONE, with(SecuritySettings.REDACTION_ENABLED, "false"));
        String s = "password=x";
        assertSame(s, Redactor.NONE.redactText(s));
    }
    /** The pre-filter finds each trigger word in any ASCII case and at the very end of a text; plain text passes. */
    @Test
    void triggerWordsAreFoundInAnyAsciiCaseAndAtTheEnd() {
        for (String w : java.util.List.of("pass", "pwd", "secret", "sk-", "key", "token", "bearer", "basic", "eyj", "akia", "aiza",
                "auth", "xox", "ghp_")) {
            String upper = w.toUpperCase(java.util.Locale.ROOT);
            String mixed = Character.toUpperCase(w.charAt(0)) + w.substring(1);
            for (String form : java.util.List.of(w, upper, mixed)) {
                assertTrue(Redactor.mayHoldBuiltInSecret("x " + form), form);
                assertTrue(Redactor.mayHoldBuiltInSecret(form + " x"), form);
                assertFalse(Redactor.mayHoldBuiltInSecret("x " + form.substring(0, form.length() - 1)),
                        form + " cut short at the end");
            }
        }
        assertFalse(Redactor.mayHoldBuiltInSecret("node 7 finished the batch in 12 ms"));
        assertFalse(Redactor.mayHoldBuiltInSecret("Ünïcödé ßtring — ok 🙂"));
    }

    /**
     * The pre-filter against a plain definition of it (ASCII-folded text contains a trigger word, or
     * "gh", any UTF-16 unit, "_"), over random texts built from trigger fragments in both cases, letters
     * that are not ASCII (their case folding must not make a trigger) and punctuation.
     */
    @Test
    void thePreFilterAgreesWithItsDefinitionOnRandomTexts() {
        String[] parts = {"p", "pa", "ss", "pw", "d", "se", "cr", "et", "sk", "-", "ke", "y", "to", "ken", "be", "ar", "er", "ba", "sic",
                "ey", "J", "ak", "IA", "ai", "ZA", "au", "th", "x", "ox", "gh", "_", "P", "S", "K", "T", "B", "E", "A", "G", "H", "X",
                " ", "=", "é", "ſ", "K", "ı", "ß", "🙂", "0"};
        String[] words = {"pass", "pwd", "secret", "sk-", "key", "token", "bearer", "basic", "eyj", "akia", "aiza", "auth", "xox"};
        java.util.Random r = new java.util.Random(11);
        int triggered = 0;
        for (int k = 0; k < 20_000; k++) {
            StringBuilder b = new StringBuilder();
            int n = r.nextInt(8);
            for (int i = 0; i < n; i++) b.append(parts[r.nextInt(parts.length)]);
            String text = b.toString();
            StringBuilder folded = new StringBuilder(text.length());
            for (char c : text.toCharArray()) folded.append(c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c);
            String f = folded.toString();
            boolean gh = false; // "gh", one UTF-16 unit, "_" (the GitHub token prefixes gh?_ are ASCII)
            for (int i = 0; i + 3 < f.length(); i++) gh |= f.startsWith("gh", i) && f.charAt(i + 3) == '_';
            boolean expected = gh || java.util.Arrays.stream(words).anyMatch(f::contains);
            if (expected) triggered++;
            assertEquals(expected, Redactor.mayHoldBuiltInSecret(text), text);
        }
        assertTrue(triggered > 200, "texts with a trigger are exercised too: " + triggered);
    }
}
