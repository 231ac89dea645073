package io.wsgate.admin;

/** What {@code /readyz} and {@code POST /admin/drain} ask of the gateway. */
public interface Lifecycle {
    /** Always ready, nothing to drain: an admin server without a gateway behind it (tests). */
    Lifecycle NONE = new Lifecycle() {
        @Override
        public String notReady() {
            return null;
        }

        @Override
        public int drain() {
            return 0;
        }
    };

    /** Null when ready for traffic, else the reason (the 503 body). */
    String notReady();

    /** Starts the drain (once; later calls only report); returns the sockets open now. */
    int drain();
}
