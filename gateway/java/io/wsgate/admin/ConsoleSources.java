package io.wsgate.admin;

import io.wsgate.audit.AuditRing;
import io.wsgate.audit.RefusalTally;
import io.wsgate.policy.PolicyHolder;

import java.util.function.BooleanSupplier;

/**
 * What {@code /admin/stats} and {@code /admin/audit} read besides the metrics, registry and reloads.
 * {@code audit} is null when {@code audit.denials: off}; {@code storeKind} is {@code memory} or {@code redis};
 * {@code storeUp} tells whether the shared store is reachable (always true for memory).
 */
public record ConsoleSources(PolicyHolder policies, RefusalTally refusals, AuditRing audit, String storeKind,
                             BooleanSupplier storeUp) {
}
