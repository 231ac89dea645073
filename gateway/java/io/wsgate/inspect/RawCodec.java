package io.wsgate.inspect;

import io.wsgate.policy.RoutePolicy;
import io.wsgate.policy.Verdict;

/** raw routes: no events, no notices; only the message rate applies (the size cap is the proxy's). */
final class RawCodec extends ConnectionInspector.Codec {
    RawCodec(ConnectionInspector in) {
        super(in);
    }

    @Override
    Verdict onMessage(RoutePolicy rp, boolean binary, byte[] buf, int off, int len) {
        long retry = in.rates.tryMessage(rp, null);
        if (retry > 0) {
            return in.refuse(rp, Notices.RATE_LIMITED, null, retry, null);
        }
        return Verdict.FORWARD;
    }
}
