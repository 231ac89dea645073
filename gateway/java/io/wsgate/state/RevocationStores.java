package io.wsgate.state;

import io.wsgate.config.GatewayConfig;

/** Builds the revocation store {@code state.store} names. */
public final class RevocationStores {
    private RevocationStores() {
    }

    /** {@code memory}: this process only; {@code redis}: shared (connects here, bounded by 2 s: call at start-up). */
    public static RevocationStore create(GatewayConfig.State state, ConnectionRegistry registry) {
        if (state != null && state.store() == GatewayConfig.Store.REDIS) {
            return new RedisRevocationStore(registry, state.redisUrl(), state.onFailure());
        }
        return new MemoryRevocationStore(registry);
    }
}
