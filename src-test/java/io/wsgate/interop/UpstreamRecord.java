package io.wsgate.interop;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Client of a Node peer's {@code /__received} endpoint: everything that upstream received, in order.
 *
 * <p>Entry kinds — socketio-server.js: {@code handshake} (url, headers), {@code frame} (every raw
 * Engine.IO packet: type, data), {@code connect} (nsp, auth, accepted), {@code event} (nsp, user, event,
 * args), {@code disconnect}. ws-chat-server.js: {@code upgrade} (url, headers), {@code upgrade-refused},
 * {@code message} (text or binary data, bytes), {@code close} (code). Every entry has {@code seq} and
 * {@code t}; binary values are {@code {"$binary": base64, "length": n}}.
 */
public final class UpstreamRecord {
    static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final URI endpoint;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1) // an h2c upgrade request would reach the peers' upgrade handlers
            .connectTimeout(TIMEOUT).build();

    public UpstreamRecord(URI serverBase) {
        this.endpoint = serverBase.resolve("/__received");
    }

    /** The whole record as the endpoint's JSON text (for "no token anywhere" checks). */
    public String rawJson() {
        return get(endpoint);
    }

    public List<JsonNode> all() {
        return parse(rawJson());
    }

    /** Entries with {@code seq} greater than the given one. */
    public List<JsonNode> since(long seq) {
        return parse(get(URI.create(endpoint + "?since=" + seq)));
    }

    /** The highest {@code seq} so far (0 when empty): take it before an action, then read {@link #since}. */
    public long lastSeq() {
        List<JsonNode> all = all();
        return all.isEmpty() ? 0 : all.get(all.size() - 1).path("seq").asLong();
    }

    /** Forgets everything received so far. */
    public void clear() {
        send(HttpRequest.newBuilder(endpoint).timeout(TIMEOUT).DELETE().build());
    }

    public List<JsonNode> matching(Predicate<JsonNode> p) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode e : all()) if (p.test(e)) out.add(e);
        return out;
    }

    public List<JsonNode> ofKind(String kind) {
        return matching(e -> kind.equals(e.path("kind").asString("")));
    }

    /** Socket.IO events with this name, in any namespace. */
    public List<JsonNode> events(String name) {
        return matching(e -> "event".equals(e.path("kind").asString("")) && name.equals(e.path("event").asString("")));
    }

    /** ws JSON messages whose {@code type} is this event, parsed (entries that are not JSON are skipped). */
    public List<JsonNode> jsonMessages(String type) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode e : ofKind("message")) {
            JsonNode text = e.get("text");
            if (text == null || !text.isString()) continue;
            try {
                JsonNode msg = JSON.readTree(text.asString());
                if (type.equals(msg.path("type").asString(""))) out.add(msg);
            } catch (RuntimeException notJson) {
                // recorded raw, but not a JSON message
            }
        }
        return out;
    }

    /** True when any received text (frames, messages, headers, auth objects) contains {@code s}. */
    public boolean contains(String s) {
        return rawJson().contains(JSON.writeValueAsString(s).replaceAll("^\"|\"$", ""));
    }

    private static List<JsonNode> parse(String body) {
        JsonNode arr = JSON.readTree(body);
        if (!arr.isArray()) throw new IllegalStateException("/__received did not answer a JSON array: " + body);
        List<JsonNode> out = new ArrayList<>(arr.size());
        arr.forEach(out::add);
        return out;
    }

    private String get(URI uri) {
        return send(HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build());
    }

    private String send(HttpRequest req) {
        try {
            HttpResponse<String> res = http.send(req, HttpResponse.BodyHandlers.ofString());
            if (res.statusCode() / 100 != 2) {
                throw new IllegalStateException(req.method() + " " + req.uri() + " answered " + res.statusCode());
            }
            return res.body();
        } catch (IOException e) {
            throw new IllegalStateException(req.method() + " " + req.uri() + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
