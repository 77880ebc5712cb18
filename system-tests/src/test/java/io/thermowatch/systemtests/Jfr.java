package io.thermowatch.systemtests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Flight recordings of the services over the benchmark's end-to-end phase, when {@code bench.jfr} names a directory
 * (read them with {@code jfr print --events jdk.ExecutionSample FILE} or JDK Mission Control): where each service
 * spends its CPU per reading. Started and dumped with the JDK's {@code jcmd}; nothing is recorded otherwise.
 */
final class Jfr {

    private static final String RECORDING = "system-bench";

    private final Path directory;
    private final Map<String, Long> pids;

    private Jfr(Path directory, Map<String, Long> pids) {
        this.directory = directory;
        this.pids = pids;
    }

    /** Starts a profiling recording in every service when {@code bench.jfr} is set; otherwise records nothing. */
    static Jfr startIfAsked(SystemUnderTest system) throws IOException, InterruptedException {
        String dir = System.getProperty("bench.jfr", "");
        Map<String, Long> pids = new LinkedHashMap<>();
        if (dir.isBlank()) {
            return new Jfr(null, pids);
        }
        for (String service : ProcessRss.SERVICES) {
            long pid = system.service(service).pid();
            jcmd(pid, "JFR.start", "name=" + RECORDING, "settings=profile");
            pids.put(service, pid);
        }
        return new Jfr(Files.createDirectories(Path.of(dir).toAbsolutePath()), pids);
    }

    /** Writes each service's recording to {@code <bench.jfr>/<run>-<service>.jfr} and stops it; the files. */
    List<Path> dump(String run) throws IOException, InterruptedException {
        List<Path> files = new ArrayList<>();
        for (Map.Entry<String, Long> service : pids.entrySet()) {
            Path file = directory.resolve(run + "-" + service.getKey() + ".jfr");
            jcmd(service.getValue(), "JFR.stop", "name=" + RECORDING, "filename=" + file);
            files.add(file);
        }
        return files;
    }

    private static void jcmd(long pid, String... command) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        List<String> args = new ArrayList<>(List.of(jcmd.toString(), Long.toString(pid)));
        args.addAll(List.of(command));
        Process process = new ProcessBuilder(args).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("jcmd " + pid + " " + String.join(" ", command) + " failed: " + output.strip());
        }
    }
}
