package org.phong.zenflow.logging.testing;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Validates JSON documents against the schemas in {@code docs/schemas/} (JSON Schema 2020-12, with
 * {@code format} asserted: a {@code uuid} or {@code date-time} that is not one fails), using
 * networknt json-schema-validator. For tests of every wire format: REST entries, WebSocket frames,
 * Kafka records.
 *
 * <pre>
 * JsonSchemas.assertValid("log-entry.schema.json", entryJsonText);
 * List&lt;String&gt; problems = JsonSchemas.problems("log-entry.schema.json", text); // empty = valid
 * </pre>
 *
 * The schema files are read from {@code docs/schemas} under the working directory (Maven runs tests in
 * the project directory), or from {@code -Dzenflow.schemas.dir=...}. Each file is parsed once per JVM.
 */
public final class JsonSchemas {
    /** Where the schemas live, relative to the project directory. */
    public static final String DIR = "docs/schemas";

    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
            b -> b.schemaRegistryConfig(SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));
    private static final String META_SCHEMA = "https://json-schema.org/draft/2020-12/schema";
    private static final Map<String, Schema> CACHE = new ConcurrentHashMap<>();

    private JsonSchemas() {
    }

    /** @return the directory of the schema files */
    public static Path dir() {
        return Path.of(System.getProperty("zenflow.schemas.dir", DIR));
    }

    /**
     * @param schemaFile a file name in {@link #dir()}, e.g. {@code log-entry.schema.json}
     * @param json       the document to check
     * @return one line per violation ({@code <instance location>: <message>}); empty when valid
     */
    public static List<String> problems(String schemaFile, String json) {
        return problemsAgainst(schema(schemaFile), json);
    }

    /**
     * Validates against a schema given as text (e.g. a component taken out of the OpenAPI document).
     *
     * @param schemaJson a JSON Schema (2020-12 unless it names another {@code $schema})
     * @param json       the document to check
     * @return one line per violation; empty when valid
     */
    public static List<String> problemsAgainstSchemaText(String schemaJson, String json) {
        return problemsAgainst(REGISTRY.getSchema(schemaJson, InputFormat.JSON), json);
    }

    /**
     * @param schemaFile a file name in {@link #dir()}
     * @param json       the document that must be valid
     * @throws AssertionError listing every violation and the document
     */
    public static void assertValid(String schemaFile, String json) {
        List<String> p = problems(schemaFile, json);
        if (!p.isEmpty()) {
            throw new AssertionError(schemaFile + " rejects the document:\n  " + String.join("\n  ", p) + "\ndocument: " + json);
        }
    }

    /**
     * @param schemaFile a file name in {@link #dir()}
     * @return the file's violations of the JSON Schema 2020-12 meta-schema (bundled with the validator,
     *         no network); empty when the file is a valid schema
     */
    public static List<String> metaSchemaProblems(String schemaFile) {
        try {
            String text = Files.readString(dir().resolve(schemaFile), StandardCharsets.UTF_8);
            return problemsAgainst(REGISTRY.getSchema(SchemaLocation.of(META_SCHEMA)), text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the parsed schema file (cached) */
    public static Schema schema(String schemaFile) {
        return CACHE.computeIfAbsent(schemaFile, f -> {
            Path file = dir().resolve(f);
            try {
                String text = Files.readString(file, StandardCharsets.UTF_8);
                Schema s = REGISTRY.getSchema(text, InputFormat.JSON);
                s.initializeValidators(); // resolves every $ref now: a broken schema fails here, not at first use
                return s;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read schema " + file.toAbsolutePath(), e);
            }
        });
    }

    private static List<String> problemsAgainst(Schema schema, String json) {
        List<Error> errors = schema.validate(json, InputFormat.JSON);
        return errors.stream().map(e -> e.getInstanceLocation() + ": " + e.getMessage()).collect(Collectors.toList());
    }
}
