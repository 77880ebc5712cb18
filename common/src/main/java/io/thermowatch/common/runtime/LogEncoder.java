package io.thermowatch.common.runtime;

import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.EncoderBase;
import java.util.Locale;

/**
 * The one log line format of every service (common's {@code logback.xml}): {@code LOG_FORMAT=text} (default), a
 * human-readable line in UTC, or {@code LOG_FORMAT=json}, one JSON object per line as container log collectors
 * expect. The variable is read once, when logging starts; {@link ServiceMain} rejects a value that is neither.
 */
public final class LogEncoder extends EncoderBase<ILoggingEvent> {

    /** The variable choosing the format. */
    public static final String FORMAT_VARIABLE = "LOG_FORMAT";
    /** The text line: ISO-8601 UTC time, level, thread, logger, message. */
    static final String TEXT_PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSX,UTC} %-5level [%thread] %logger{0} - %msg%n";

    private final String format;
    private Encoder<ILoggingEvent> delegate;

    /** The encoder logback creates: the format from {@code LOG_FORMAT}. */
    public LogEncoder() {
        this(System.getenv(FORMAT_VARIABLE));
    }

    LogEncoder(String format) {
        this.format = format;
    }

    /** True for the values {@code LOG_FORMAT} may take: {@code text}, {@code json} (any case), or unset. */
    static boolean isValidFormat(String value) {
        return value == null || value.equalsIgnoreCase("text") || value.equalsIgnoreCase("json");
    }

    @Override
    public void start() {
        if (format != null && format.toLowerCase(Locale.ROOT).equals("json")) {
            JsonEncoder json = new JsonEncoder();
            json.setContext(getContext());
            // The message as read ("formattedMessage"), not its template and arguments; no per-process noise.
            json.setWithFormattedMessage(true);
            json.setWithMessage(false);
            json.setWithArguments(false);
            json.setWithContext(false);
            json.setWithSequenceNumber(false);
            json.setWithNanoseconds(false);
            delegate = json;
        } else {
            PatternLayoutEncoder text = new PatternLayoutEncoder();
            text.setContext(getContext());
            text.setPattern(TEXT_PATTERN);
            delegate = text;
        }
        delegate.start();
        super.start();
    }

    @Override
    public void stop() {
        delegate.stop();
        super.stop();
    }

    @Override
    public byte[] headerBytes() {
        return delegate.headerBytes();
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        return delegate.encode(event);
    }

    @Override
    public byte[] footerBytes() {
        return delegate.footerBytes();
    }
}
