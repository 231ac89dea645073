package io.wsgate.auth;

/** A token that does not verify; {@code error} is the OAuth error word ({@code invalid_token}). */
public final class TokenException extends Exception {
    private final String error;

    public TokenException(String error, String reason) {
        super(reason, null, false, false);
        this.error = error;
    }

    public String error() {
        return error;
    }
}
