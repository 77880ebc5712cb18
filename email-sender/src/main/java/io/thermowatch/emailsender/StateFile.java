package io.thermowatch.emailsender;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/** {@link MailedState} on disk ({@code ALERT_STATE_FILE}), replaced atomically on each save. Thread safe. */
final class StateFile {

    private final Path path;
    private final Path temp;

    StateFile(Path path) {
        this.path = path;
        this.temp = path.resolveSibling(path.getFileName() + ".tmp");
    }

    Path path() {
        return path;
    }

    MailedState load() throws IOException {
        if (!Files.exists(path)) {
            return new MailedState();
        }
        return MailedState.fromLines(Files.readAllLines(path, StandardCharsets.UTF_8));
    }

    synchronized void save(MailedState state) throws IOException {
        List<String> lines = state.toLines();
        Files.write(temp, lines, StandardCharsets.UTF_8);
        try {
            Files.move(temp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, path, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Fails at start, not at the first alert, when the file cannot be written. */
    void checkWritable() throws IOException {
        Path dir = path.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        save(load());
    }
}
