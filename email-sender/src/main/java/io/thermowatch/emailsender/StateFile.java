package io.thermowatch.emailsender;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link MailedState} on disk ({@code ALERT_STATE_FILE}): written to a temporary file, fsynced, renamed atomically
 * over the old one and the directory fsynced, so a crash leaves either the old or the new file, never half of one.
 * A file that cannot be read or parsed (bad UTF-8, a damaged line) is moved aside with one WARN line and the service
 * starts fresh instead of failing at every start. Thread safe.
 */
final class StateFile {

    private static final Logger log = LoggerFactory.getLogger(StateFile.class);

    private final Path path;
    private final Path temp;
    private final Clock clock;

    StateFile(Path path) {
        this(path, Clock.systemUTC());
    }

    StateFile(Path path, Clock clock) {
        this.path = path;
        this.temp = path.resolveSibling(path.getFileName() + ".tmp");
        this.clock = clock;
    }

    Path path() {
        return path;
    }

    /**
     * @return what the file holds; empty if there is none, or if it was unreadable or corrupt (then moved aside)
     * @throws IOException only when a corrupt file cannot even be moved aside
     */
    synchronized MailedState load() throws IOException {
        String problem;
        try {
            byte[] bytes = Files.readAllBytes(path);
            String text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
            return MailedState.parse(text.lines().toList());
        } catch (NoSuchFileException e) {
            return new MailedState();
        } catch (CharacterCodingException e) {
            problem = "not valid UTF-8";
        } catch (IllegalArgumentException e) {
            problem = e.getMessage();
        } catch (IOException e) {
            problem = "unreadable (" + e + ")";
        }
        Path aside = path.resolveSibling(path.getFileName() + ".corrupt-" + clock.millis());
        Files.move(path, aside, StandardCopyOption.REPLACE_EXISTING);
        log.warn(
                "state - {} is {}: moved to {}, starting without it (alert states are rebuilt from the stream)",
                path,
                problem,
                aside.getFileName());
        return new MailedState();
    }

    synchronized void save(MailedState state) throws IOException {
        StringBuilder text = new StringBuilder();
        state.toLines().forEach(line -> text.append(line).append('\n'));
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        try (FileChannel out = FileChannel.open(
                temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
            out.force(true); // the data is on disk before the rename makes it the state
        }
        try {
            Files.move(temp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, path, StandardCopyOption.REPLACE_EXISTING);
        }
        syncDirectory();
    }

    /** Makes the rename itself durable; not every platform can open a directory, which is then left to the OS. */
    private void syncDirectory() {
        Path dir = path.toAbsolutePath().getParent();
        if (dir == null) {
            return;
        }
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            log.debug("state - Cannot fsync directory {}: {}", dir, e.toString());
        }
    }

    /** Fails at start, not at the first alert, when {@code state} cannot be written. */
    void checkWritable(MailedState state) throws IOException {
        Path dir = path.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        save(state);
    }
}
