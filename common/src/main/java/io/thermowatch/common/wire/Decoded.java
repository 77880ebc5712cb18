package io.thermowatch.common.wire;

import java.util.Objects;

/** What {@link ReadingCodec#decode} made of a payload: a reading, or a rejection with its reason. */
public sealed interface Decoded permits Decoded.Accepted, Decoded.Rejected {

    /** The payload was a valid reading. */
    record Accepted(Reading reading) implements Decoded {
        public Accepted {
            Objects.requireNonNull(reading, "reading");
        }
    }

    /**
     * The payload broke a rule of the wire contract.
     *
     * @param reason one human-readable sentence naming the rule, suitable for storing and logging
     */
    record Rejected(String reason) implements Decoded {
        public Rejected {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
