package io.wsgate.bench;

import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/** Result files: a JSON document per run, markdown rows appended to a table. */
final class ResultFiles {
    private static final JsonMapper MAPPER = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private ResultFiles() {}

    static void write(Path file, Map<String, Object> result) {
        MAPPER.writeValue(file.toFile(), result);
    }

    /** Appends a markdown table row, writing the header first when the file does not exist yet. */
    static void appendRow(Path file, String header, String row) {
        try {
            String text = Files.exists(file) ? row : header + row;
            Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
