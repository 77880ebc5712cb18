package io.thermowatch.dbwriter;

import io.thermowatch.common.runtime.ServiceMain;

/** Entry point: {@code java -jar db-writer.jar}, configured only by environment variables (see README). */
public final class Main {

    private Main() {}

    public static void main(String[] args) {
        ServiceMain.run("db-writer", (env, workers) -> DbWriterService.start(DbWriterConfig.fromEnv(env), workers));
    }
}
