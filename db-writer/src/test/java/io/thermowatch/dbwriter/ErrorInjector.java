package io.thermowatch.dbwriter;

import com.sun.jdi.Bootstrap;
import com.sun.jdi.ClassType;
import com.sun.jdi.Method;
import com.sun.jdi.ObjectReference;
import com.sun.jdi.ThreadReference;
import com.sun.jdi.VirtualMachine;
import com.sun.jdi.connect.AttachingConnector;
import com.sun.jdi.connect.Connector;
import com.sun.jdi.event.BreakpointEvent;
import com.sun.jdi.event.Event;
import com.sun.jdi.event.EventSet;
import com.sun.jdi.request.BreakpointRequest;
import com.sun.jdi.request.EventRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Makes a thread of a running service die of a real {@link OutOfMemoryError}, without any hook in the service:
 * through the Java debug interface (the service started with {@link #agentOption}), it stops the thread at a
 * breakpoint in its own loop and throws the error there, as the JVM would on an exhausted heap. Test-only.
 */
final class ErrorInjector {

    private ErrorInjector() {}

    /** The JVM option that lets this class attach, on {@code 127.0.0.1:port} only. */
    static String agentOption(int port) {
        return "-agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=127.0.0.1:" + port;
    }

    /**
     * Throws an {@link OutOfMemoryError} in thread {@code threadName} when it next enters {@code className.method}.
     *
     * @throws AssertionError if the thread, class or method does not exist or is not reached within {@code timeout}
     */
    static void throwOutOfMemoryError(int port, String threadName, String className, String method, Duration timeout)
            throws Exception {
        AttachingConnector socket = Bootstrap.virtualMachineManager().attachingConnectors().stream()
                .filter(c -> c.transport().name().equals("dt_socket"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no dt_socket connector in this JDK"));
        Map<String, Connector.Argument> arguments = socket.defaultArguments();
        arguments.get("hostname").setValue("127.0.0.1");
        arguments.get("port").setValue(Integer.toString(port));
        VirtualMachine vm = socket.attach(arguments);
        try {
            ThreadReference thread = vm.allThreads().stream()
                    .filter(t -> t.name().equals(threadName))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no thread named " + threadName));
            ClassType target = (ClassType) vm.classesByName(className).stream()
                    .findFirst()
                    .orElseThrow(() -> new AssertionError(className + " is not loaded"));
            Method entry = target.methodsByName(method).stream()
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no method " + className + "." + method));
            BreakpointRequest breakpoint = vm.eventRequestManager().createBreakpointRequest(entry.location());
            breakpoint.addThreadFilter(thread);
            breakpoint.setSuspendPolicy(EventRequest.SUSPEND_EVENT_THREAD);
            breakpoint.enable();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                EventSet events = vm.eventQueue().remove(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                if (events == null) {
                    break;
                }
                for (Event event : events) {
                    if (event instanceof BreakpointEvent hit) {
                        breakpoint.disable();
                        hit.thread().stop(newOutOfMemoryError(vm, hit.thread()));
                        events.resume();
                        return;
                    }
                }
                events.resume();
            }
            throw new AssertionError(threadName + " did not reach " + className + "." + method + " within " + timeout);
        } finally {
            vm.dispose();
        }
    }

    /** Created in the target VM, on the thread suspended at the breakpoint (JDI requires an event-suspended one). */
    private static ObjectReference newOutOfMemoryError(VirtualMachine vm, ThreadReference thread) throws Exception {
        ClassType type =
                (ClassType) vm.classesByName("java.lang.OutOfMemoryError").get(0);
        Method constructor = type.concreteMethodByName("<init>", "(Ljava/lang/String;)V");
        return type.newInstance(
                thread,
                constructor,
                List.of(vm.mirrorOf("Java heap space (thrown by the test through the debug interface)")),
                ClassType.INVOKE_SINGLE_THREADED);
    }
}
