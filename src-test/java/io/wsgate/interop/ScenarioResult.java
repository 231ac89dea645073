package io.wsgate.interop;

import tools.jackson.databind.JsonNode;

/** One line a client script printed: {@code {"scenario","ok","ms","details"}}. */
public record ScenarioResult(String scenario, boolean ok, long ms, JsonNode details) {
    /** {@code details.error} of a failed scenario, or "". */
    public String error() {
        return details.path("error").asString("");
    }

    @Override
    public String toString() {
        return scenario + (ok ? " ok " : " FAILED ") + ms + "ms " + details;
    }
}
