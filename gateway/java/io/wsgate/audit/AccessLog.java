package io.wsgate.audit;

/** Where closed connections are recorded; called on the event loop, so implementations only enqueue. */
public interface AccessLog {
    AccessLog OFF = r -> { };

    void closed(AccessRecord record);
}
