package io.wsgate.inspect;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.wsgate.config.InvalidSettingException;
import io.wsgate.config.RouteConfig;
import io.wsgate.config.RouteConfig.Kind;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** A route's compiled message rules: protocol, event path, compiled schemas and sanitizers. */
public final class RouteRules {
    public static final String DEFAULT_EVENT = "$default";
    static final int MAX_ATTACHMENTS_CAP = 1000;
    static final Set<String> RESERVED_SOCKETIO = Set.of("connect", "connect_error", "disconnect", "disconnecting",
            "newListener", "removeListener");
    private static final long MAX_SCHEMA_FILE = 1 << 20;

    private final RouteConfig route;
    private final Kind kind;
    private final FieldPath eventPath;
    private final Map<String, List<String>> namespaces;
    private final int maxAttachments;
    private final boolean defaultAllow;
    private final boolean onDenyClose;
    private final boolean eventNotify;
    private final String notifyEvent;
    private final Map<String, EventPolicy> rules;
    private final boolean rateClose;
    private final boolean rateNotify;
    private final String socketioAuthKey;
    private final FieldPath firstMessagePath;
    private final String refreshEvent;
    private final String forwardUserKey;
    private final String forwardRolesKey;
    private final boolean stripToken;
    private final boolean treeFirst;

    private RouteRules(RouteConfig route) {
        this.route = route;
        RouteConfig.Protocol protocol = route.protocol();
        this.kind = protocol == null || protocol.kind() == null ? Kind.RAW : protocol.kind();

        if (kind == Kind.JSON) {
            String ev = protocol.event() == null || protocol.event().isBlank() ? "type" : protocol.event();
            try {
                this.eventPath = FieldPath.parse(ev);
            } catch (IllegalArgumentException e) {
                throw new InvalidSettingException("protocol.event", e.getMessage());
            }
        } else {
            if (protocol != null && protocol.event() != null && kind == Kind.SOCKETIO) {
                throw new InvalidSettingException("protocol.event",
                        "socketio routes take the event name from the packet; remove protocol.event");
            }
            this.eventPath = kind == Kind.SOCKETIO ? FieldPath.parse("[0]") : null;
        }

        if (kind == Kind.SOCKETIO) {
            Map<String, RouteConfig.Namespace> ns = protocol.namespaces();
            if (ns != null) {
                Map<String, List<String>> m = new HashMap<>();
                for (var e : ns.entrySet()) {
                    if (e.getKey() == null || !e.getKey().startsWith("/") || e.getKey().indexOf(',') >= 0) {
                        throw new InvalidSettingException("protocol.namespaces." + e.getKey(),
                                "a namespace starts with '/' and holds no ','");
                    }
                    List<String> roles = e.getValue() == null || e.getValue().roles() == null
                            ? List.of() : List.copyOf(e.getValue().roles());
                    m.put(e.getKey(), roles);
                }
                this.namespaces = Map.copyOf(m);
            } else {
                this.namespaces = null;
            }
            int max = protocol.maxAttachments();
            if (max < 0 || max > MAX_ATTACHMENTS_CAP) {
                throw new InvalidSettingException("protocol.max_attachments",
                        "must be between 0 and " + MAX_ATTACHMENTS_CAP + " (got " + max + ")");
            }
            this.maxAttachments = max;
        } else {
            if (protocol != null && protocol.namespaces() != null) {
                throw new InvalidSettingException("protocol.namespaces", "only socketio routes have namespaces");
            }
            this.namespaces = null;
            this.maxAttachments = 0;
        }

        RouteConfig.Events events = route.events();
        if (events != null && kind == Kind.RAW && events.rules() != null && !events.rules().isEmpty()) {
            throw new InvalidSettingException("events.rules", "raw routes have no events; use protocol.kind json or socketio");
        }
        this.defaultAllow = events == null || events.defaultAction() != RouteConfig.DefaultAction.DENY;
        this.onDenyClose = events != null && events.onDeny() == RouteConfig.OnDeny.CLOSE;
        this.eventNotify = kind != Kind.RAW && (events == null || events.notifyClient());
        this.notifyEvent = events == null || events.notifyEvent() == null || events.notifyEvent().isEmpty()
                ? "error" : events.notifyEvent();
        Map<String, EventPolicy> compiled = new HashMap<>();
        SchemaCompiler schemas = new SchemaCompiler();
        if (events != null && events.rules() != null) {
            for (var e : events.rules().entrySet()) {
                compiled.put(e.getKey(), compileRule(e.getKey(), e.getValue(), schemas));
            }
        }
        this.rules = Map.copyOf(compiled);
        this.treeFirst = !defaultAllow && !rules.isEmpty()
                && rules.values().stream().allMatch(EventPolicy::needsPayload);

        RouteConfig.RateLimits rl = route.rateLimits();
        this.rateClose = rl != null && rl.onExceed() == RouteConfig.OnExceed.CLOSE;
        // without a rate_limits section an event rate still notifies (notify defaults to true, as in RouteLimits)
        this.rateNotify = kind != Kind.RAW && (rl == null || rl.notifyClient());

        String sioKey = null;
        FieldPath firstPath = null;
        RouteConfig.Auth auth = route.auth();
        if (auth != null && auth.tokenFrom() != null) {
            for (String src : auth.tokenFrom()) {
                if (src == null) {
                    continue;
                }
                if (src.startsWith("socketio_auth:")) {
                    if (kind != Kind.SOCKETIO) {
                        throw new InvalidSettingException("auth.token_from", "socketio_auth needs protocol.kind socketio");
                    }
                    sioKey = src.substring("socketio_auth:".length());
                    if (sioKey.isEmpty()) {
                        throw new InvalidSettingException("auth.token_from", "socketio_auth: needs a key, e.g. socketio_auth:token");
                    }
                } else if (src.startsWith("first_message:")) {
                    if (kind != Kind.JSON) {
                        throw new InvalidSettingException("auth.token_from", "first_message needs protocol.kind json");
                    }
                    try {
                        firstPath = FieldPath.parse(src.substring("first_message:".length()));
                    } catch (IllegalArgumentException e) {
                        throw new InvalidSettingException("auth.token_from", "first_message: " + e.getMessage());
                    }
                }
            }
        }
        this.socketioAuthKey = sioKey;
        this.firstMessagePath = firstPath;
        this.refreshEvent = auth == null || auth.refreshEvent() == null || auth.refreshEvent().isEmpty()
                || kind == Kind.RAW ? null : auth.refreshEvent();
        RouteConfig.Forward fw = route.forward();
        RouteConfig.SocketioAuth sa = fw == null ? null : fw.socketioAuth();
        if (sa != null && kind != Kind.SOCKETIO) {
            throw new InvalidSettingException("forward.socketio_auth", "only socketio routes have CONNECT packets");
        }
        this.forwardUserKey = sa == null ? null : sa.user();
        this.forwardRolesKey = sa == null ? null : sa.roles();
        this.stripToken = fw == null || fw.stripToken();
    }

    public static RouteRules compile(RouteConfig route) {
        return new RouteRules(route);
    }

    private EventPolicy compileRule(String name, RouteConfig.EventRule r, SchemaCompiler schemas) {
        String key = "events.rules." + name;
        if (name == null || name.isEmpty()) {
            throw new InvalidSettingException("events.rules", "an event name is empty");
        }
        if (kind == Kind.SOCKETIO && RESERVED_SOCKETIO.contains(name)) {
            throw new InvalidSettingException(key, "\"" + name + "\" is a reserved Socket.IO event name and never reaches a server");
        }
        if (r == null) {
            return new EventPolicy(name, List.of(), 0, null, List.of(), List.of());
        }
        if (r.maxBytes() < 0) {
            throw new InvalidSettingException(key + ".max_bytes", "must be positive");
        }
        Schema schema = r.schema() == null ? null : schemas.compile(key + ".schema", r.schema());
        List<EventPolicy.FieldRule> maxLength = new ArrayList<>();
        if (r.maxLength() != null) {
            for (var e : r.maxLength().entrySet()) {
                String k = key + ".max_length." + e.getKey();
                FieldPath p = fieldPath(k, e.getKey());
                if (e.getValue() == null || e.getValue() <= 0) {
                    throw new InvalidSettingException(k, "must be a positive number of characters");
                }
                maxLength.add(new EventPolicy.FieldRule(p, e.getValue(), null));
            }
        }
        List<EventPolicy.FieldRule> sanitize = new ArrayList<>();
        if (r.sanitize() != null) {
            for (var e : r.sanitize().entrySet()) {
                String k = key + ".sanitize." + e.getKey();
                FieldPath p = fieldPath(k, e.getKey());
                if (e.getValue() == null) {
                    throw new InvalidSettingException(k, "mode must be text or basic_html");
                }
                int cap = Sanitizer.MAX_INPUT;
                for (EventPolicy.FieldRule ml : maxLength) {
                    if (ml.path().toString().equals(p.toString())) {
                        cap = Math.min(cap, ml.limit());
                    }
                }
                sanitize.add(new EventPolicy.FieldRule(p, cap, e.getValue()));
            }
        }
        List<String> roles = r.roles() == null ? List.of() : List.copyOf(r.roles());
        return new EventPolicy(name, roles, r.maxBytes(), schema, List.copyOf(maxLength), List.copyOf(sanitize));
    }

    private FieldPath fieldPath(String key, String text) {
        FieldPath p;
        try {
            p = FieldPath.parse(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException(key, e.getMessage());
        }
        if (kind == Kind.SOCKETIO && !p.startsWithIndex()) {
            throw new InvalidSettingException(key,
                    "a socketio payload is the argument array: address the first argument as [0]." + text);
        }
        return p;
    }

    /** Compiles each schema file once per load; draft 2020-12 unless the file's $schema names another. */
    private static final class SchemaCompiler {
        private final Map<Path, Schema> byFile = new HashMap<>();

        Schema compile(String key, Path file) {
            Path abs = file.toAbsolutePath().normalize();
            Schema cached = byFile.get(abs);
            if (cached != null) {
                return cached;
            }
            JsonNode node;
            try {
                if (Files.size(abs) > MAX_SCHEMA_FILE) {
                    throw new InvalidSettingException(key, file + ": larger than " + MAX_SCHEMA_FILE + " bytes");
                }
                byte[] bytes = Files.readAllBytes(abs);
                node = StrictJson.readTree(bytes, 0, bytes.length);
            } catch (IOException e) {
                throw new InvalidSettingException(key, "cannot read " + file + ": " + e.getMessage());
            } catch (StrictJson.NumberBoundsException e) {
                // the schema's own numbers (multipleOf, minimum...) meet client numbers in BigDecimal arithmetic
                throw new InvalidSettingException(key, file + ": " + e.getOriginalMessage());
            } catch (JacksonException e) {
                throw new InvalidSettingException(key, file + " is not valid JSON: " + e.getOriginalMessage());
            }
            if (!node.isObject() && !node.isBoolean()) {
                throw new InvalidSettingException(key, file + ": a JSON Schema is an object or a boolean");
            }
            SpecificationVersion version = SpecificationVersion.DRAFT_2020_12;
            JsonNode declared = node.isObject() ? node.get("$schema") : null;
            if (declared != null) {
                Optional<SpecificationVersion> v = declared.isString()
                        ? SpecificationVersion.fromDialectId(declared.asString()) : Optional.empty();
                if (v.isEmpty()) {
                    throw new InvalidSettingException(key, file + ": unsupported $schema " + declared);
                }
                version = v.get();
            }
            SchemaRegistry registry = SchemaRegistry.withDefaultDialect(version);
            Schema meta = registry.getSchema(SchemaLocation.of(version.getDialectId()));
            List<Error> problems = meta.validate(node);
            if (!problems.isEmpty()) {
                throw new InvalidSettingException(key, file + ": not a valid schema: " + problems.get(0));
            }
            Schema schema;
            try {
                schema = registry.getSchema(SchemaLocation.of(abs.toUri().toString()), node);
                schema.initializeValidators();
            } catch (RuntimeException e) {
                throw new InvalidSettingException(key, file + ": " + e.getMessage());
            }
            byFile.put(abs, schema);
            return schema;
        }
    }

    public RouteConfig route() {
        return route;
    }

    public Kind kind() {
        return kind;
    }

    /** json: the event field path; socketio: {@code [0]}; raw: null. */
    public FieldPath eventPath() {
        return eventPath;
    }

    /** Null: any namespace. Else namespace → roles (empty: anyone). */
    public Map<String, List<String>> namespaces() {
        return namespaces;
    }

    /** 0: binary packets are refused. */
    public int maxAttachments() {
        return maxAttachments;
    }

    /** The rule for an event, {@link EventPolicy#ALLOW_ANY} when allowed by default, null when unknown. */
    public EventPolicy rule(String event) {
        EventPolicy r = rules.get(event);
        if (r != null) {
            return r;
        }
        return defaultAllow && !DEFAULT_EVENT.equals(event) ? EventPolicy.ALLOW_ANY : null;
    }

    /**
     * True when every message that can pass needs its tree (default deny, every rule has payload rules):
     * one tree parse then finds the event too, instead of a streaming scan followed by a tree parse.
     */
    public boolean treeFirst() {
        return treeFirst;
    }

    public boolean onDenyClose() {
        return onDenyClose;
    }

    public boolean eventNotify() {
        return eventNotify;
    }

    public String notifyEvent() {
        return notifyEvent;
    }

    public boolean rateClose() {
        return rateClose;
    }

    public boolean rateNotify() {
        return rateNotify;
    }

    /** The key of the CONNECT auth object that carries the token, or null. */
    public String socketioAuthKey() {
        return socketioAuthKey;
    }

    public FieldPath firstMessagePath() {
        return firstMessagePath;
    }

    public String refreshEvent() {
        return refreshEvent;
    }

    public String forwardUserKey() {
        return forwardUserKey;
    }

    public String forwardRolesKey() {
        return forwardRolesKey;
    }

    public boolean stripToken() {
        return stripToken;
    }
}
