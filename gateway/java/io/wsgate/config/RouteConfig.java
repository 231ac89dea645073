package io.wsgate.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One route policy file. {@code auth}, {@code rateLimits} and {@code events} are null when the
 * section is absent (public route, no limits, every event allowed). Every Path is resolved against
 * the folder of the file that names it.
 */
public record RouteConfig(String sourceFile, Route route, Protocol protocol, Auth auth, Forward forward,
                          RateLimits rateLimits, Events events) {

    public record Route(String path, Upstream upstream, List<String> allowedOrigins, boolean allowNoOrigin,
                        int maxMessageBytes, int maxUpstreamMessageBytes, List<String> subprotocols,
                        boolean permessageDeflate) {}

    public enum Balance { ROUND_ROBIN, LEAST_CONNECTIONS, HASH_USER }

    public record Upstream(List<String> targets, Balance balance, Duration connectTimeout, Path caFile) {}

    public enum Kind { RAW, JSON, SOCKETIO }

    /** {@code event}: json only, dot path to the event name. {@code namespaces}: socketio only (null: any). */
    public record Protocol(Kind kind, String event, Map<String, Namespace> namespaces, int maxAttachments) {}

    public record Namespace(List<String> roles) {}

    public enum OnExcess { CLOSE_OLDEST, REJECT }

    /** {@code tokenFrom} entries as written: header, query:NAME, cookie:NAME, subprotocol, first_message:PATH, socketio_auth:KEY. */
    public record Auth(boolean required, Jwt jwt, List<String> tokenFrom, Duration authTimeout,
                       List<String> connectRoles, boolean closeOnExpiry, String refreshEvent,
                       int maxSessionsPerUser, OnExcess onExcessSessions) {}

    /** Exactly one of jwksFile, jwksUrl, hmacSecretEnv is non-null. */
    public record Jwt(List<String> algorithms, Path jwksFile, String jwksUrl, String hmacSecretEnv, String issuer,
                      String audience, Duration clockSkew, String userClaim, String rolesClaim, int maxTokenBytes) {}

    /** Header names may be null (not sent). socketioAuth null: identity not written into CONNECT. */
    public record Forward(Headers headers, SocketioAuth socketioAuth, boolean stripToken) {}

    public record Headers(String user, String roles, String clientIp) {}

    public record SocketioAuth(String user, String roles) {}

    public enum OnExceed { DROP, CLOSE }

    public enum Scope { CONNECTION, USER }

    /** {@code burst} defaults to {@code limit}; {@code scope} only meaningful on event rates. */
    public record Rate(int limit, Duration per, int burst, Scope scope) {}

    public record PerIp(Rate connections, Rate messages) {}

    public record PerUser(Rate messages) {}

    /** {@code notifyClient} is the YAML key {@code notify} (a record cannot name a component notify). */
    public record RateLimits(PerIp perIp, PerUser perUser, OnExceed onExceed, boolean notifyClient, int closeAfter) {}

    public enum DefaultAction { ALLOW, DENY }

    public enum OnDeny { DROP, CLOSE }

    public record Events(DefaultAction defaultAction, OnDeny onDeny, boolean notifyClient, String notifyEvent,
                         Map<String, EventRule> rules) {}

    public enum SanitizeMode { TEXT, BASIC_HTML }

    /** roles null or empty: any authenticated-or-public client. maxBytes 0: no cap beyond the route's. */
    public record EventRule(List<String> roles, int maxBytes, Rate rate, Path schema,
                            Map<String, SanitizeMode> sanitize, Map<String, Integer> maxLength) {}
}
