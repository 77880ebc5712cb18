package io.thermowatch.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The CPU samples the benchmarks divide by readings: read from /proc for real, arithmetic on fixed samples. */
class ProcessCpuTest {

    @Test
    void a_busy_process_shows_the_cpu_it_used() {
        // Given
        long pid = ProcessHandle.current().pid();
        ProcessCpu.Sample before = ProcessCpu.sample(pid);
        // When this thread spins until 50 ms more CPU are counted (at most 10 s: the machine is shared)
        long deadline = System.nanoTime() + 10_000_000_000L;
        ProcessCpu.Sample after = before;
        while (after.cpuMillis() - before.cpuMillis() < 50 && System.nanoTime() < deadline) {
            after = ProcessCpu.sample(pid);
        }
        // Then
        assertEquals(pid, after.pid());
        assertTrue(after.cpuMillis() - before.cpuMillis() >= 50, before + " → " + after);
    }

    @Test
    void a_process_that_is_not_running_has_no_sample() {
        assertEquals(new ProcessCpu.Sample(-1, 0), ProcessCpu.sample(-1));
        assertEquals(new ProcessCpu.Sample(-1, 0), ProcessCpu.sample(Long.MAX_VALUE));
    }

    @Test
    void cpu_per_thousand_readings_is_the_difference_scaled() {
        assertEquals(
                25.0,
                ProcessCpu.perThousand(new ProcessCpu.Sample(7, 1_000), new ProcessCpu.Sample(7, 6_000), 200_000));
    }

    @Test
    void a_restarted_process_gives_no_figure() {
        assertTrue(Double.isNaN(
                ProcessCpu.perThousand(new ProcessCpu.Sample(7, 1_000), new ProcessCpu.Sample(8, 6_000), 200_000)));
        assertTrue(Double.isNaN(
                ProcessCpu.perThousand(new ProcessCpu.Sample(-1, 0), new ProcessCpu.Sample(-1, 0), 200_000)));
    }

    @Test
    void the_machine_has_spent_cpu() {
        ProcessCpu.Sample machine = ProcessCpu.machine();
        assertEquals(0, machine.pid());
        assertTrue(machine.cpuMillis() > 0);
    }
}
