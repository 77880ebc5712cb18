package io.thermowatch.emailsender;

import io.thermowatch.testkit.MutableClock;
import io.thermowatch.testkit.MutableTicker;
import java.time.Duration;
import java.time.Instant;

/** The wall clock and the monotonic clock of a test: {@link #advance} moves both, {@link #jumpWall} only the wall. */
final class TwoClocks {

    final MutableClock wall;
    final MutableTicker ticker = new MutableTicker();

    TwoClocks(Instant start) {
        this.wall = new MutableClock(start);
    }

    /** Time passes. */
    void advance(Duration duration) {
        wall.advance(duration);
        ticker.advance(duration);
    }

    /** Someone sets the wall clock (NTP step, operator): no time passes. */
    void jumpWall(Duration step) {
        wall.advance(step);
    }

    Instant instant() {
        return wall.instant();
    }

    AlertEngine engine(AlertRules rules) {
        return new AlertEngine(rules, wall, ticker::nanos);
    }
}
