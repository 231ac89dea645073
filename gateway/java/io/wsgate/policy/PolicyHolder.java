package io.wsgate.policy;

/** The one reference a reload swaps; readers take one volatile read per message. */
public final class PolicyHolder {
    private volatile Policy current;

    public PolicyHolder(Policy initial) {
        this.current = initial;
    }

    public Policy get() {
        return current;
    }

    public void set(Policy next) {
        this.current = next;
    }
}
