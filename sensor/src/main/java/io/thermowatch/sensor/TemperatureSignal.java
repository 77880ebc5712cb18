package io.thermowatch.sensor;

import java.util.Random;

/**
 * The temperature one sensor measures, reading after reading: a believable signal rather than uniform noise.
 *
 * <p>The value is {@code base + drift + noise + excursion}, rounded to one decimal:
 * <ul>
 *   <li>{@code base}: the sensor's own set point, drawn once in [{@value #BASE_MIN}, {@value #BASE_MAX}] °C;</li>
 *   <li>{@code drift}: a slow mean-reverting random walk (air handling, load), a few tenths of a degree;</li>
 *   <li>{@code noise}: small Gaussian measurement noise (σ = {@value #NOISE_SIGMA} °C);</li>
 *   <li>{@code excursion}: with probability {@link Excursions#probability()} per reading, a short hot spell that
 *       rises to {@link Excursions#size()} °C above the base over {@value #EXCURSION_READINGS} readings and decays,
 *       so a demo shows alerts firing and resolving.</li>
 * </ul>
 * Deterministic for a given {@link Random}; not thread-safe (one scheduler thread drives each sensor).
 */
final class TemperatureSignal {

    static final double BASE_MIN = 19.0;
    static final double BASE_MAX = 23.0;
    static final double NOISE_SIGMA = 0.1;
    static final double DRIFT_SIGMA = 0.05;
    static final double DRIFT_PULL = 0.05;
    static final double DRIFT_LIMIT = 1.5;
    /** Shape of an excursion, as fractions of its size, one entry per reading. */
    private static final double[] EXCURSION_SHAPE = {0.4, 0.8, 1.0, 1.0, 0.9, 0.6, 0.3, 0.1};

    static final int EXCURSION_READINGS = 8;

    /** How often and how far the signal leaves its normal band; probability 0 turns excursions off. */
    record Excursions(double probability, double size) {
        static final Excursions OFF = new Excursions(0, 0);

        Excursions {
            if (!(probability >= 0 && probability <= 1)) {
                throw new IllegalArgumentException("excursion probability must be in [0, 1]: " + probability);
            }
            if (!(size >= 0)) {
                throw new IllegalArgumentException("excursion size must be >= 0: " + size);
            }
        }
    }

    private final Random random;
    private final Excursions excursions;
    private final double base;
    private double drift;
    private int excursionStep = -1;

    TemperatureSignal(Random random, Excursions excursions) {
        this.random = random;
        this.excursions = excursions;
        this.base = BASE_MIN + random.nextDouble() * (BASE_MAX - BASE_MIN);
    }

    /** The sensor's set point, °C. */
    double base() {
        return base;
    }

    /** True while an excursion is under way. */
    boolean isInExcursion() {
        return excursionStep >= 0;
    }

    /** The next reading, °C, one decimal. */
    double next() {
        drift += -DRIFT_PULL * drift + DRIFT_SIGMA * random.nextGaussian();
        drift = Math.max(-DRIFT_LIMIT, Math.min(DRIFT_LIMIT, drift));
        double noise = NOISE_SIGMA * random.nextGaussian();
        return roundToTenth(base + drift + noise + nextExcursion());
    }

    private double nextExcursion() {
        if (excursionStep < 0 && excursions.probability() > 0 && random.nextDouble() < excursions.probability()) {
            excursionStep = 0;
        }
        if (excursionStep < 0) {
            return 0;
        }
        double value = excursions.size() * EXCURSION_SHAPE[excursionStep];
        excursionStep = excursionStep + 1 < EXCURSION_SHAPE.length ? excursionStep + 1 : -1;
        return value;
    }

    static double roundToTenth(double value) {
        return Math.round(value * 10.0) / 10.0;
    }
}
