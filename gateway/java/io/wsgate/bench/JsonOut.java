package io.wsgate.bench;

import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

import java.nio.file.Path;
import java.util.Map;

final class JsonOut {
    private static final JsonMapper MAPPER = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private JsonOut() {}

    static void write(Path file, Map<String, Object> result) {
        MAPPER.writeValue(file.toFile(), result);
    }
}
