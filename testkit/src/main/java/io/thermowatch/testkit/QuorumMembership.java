package io.thermowatch.testkit;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * A quorum queue's Raft membership and leader as Raft itself reports them ({@code ra:members} on the queue's
 * leader), not as the management API does: its {@code members} and {@code leader} figures are statistics a
 * queue leader emits every few seconds, and on 3.10 a node that led the queue earlier can keep serving its old
 * figures next to the new ones (a queue listed with two {@code members} keys, the stale one from before a
 * replica was added, was seen on a freshly formed cluster).
 *
 * @param members the nodes holding a replica
 * @param leader the node leading the queue
 */
public record QuorumMembership(Set<String> members, String leader) {

    /**
     * The Erlang expression whose printed answer {@link #parse} reads: a string with the leader's node name
     * first, then every member's, separated by spaces.
     */
    static String query(String queue) {
        if (!queue.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("not a plain queue name: " + queue);
        }
        return "{ok, Q} = rabbit_amqqueue:lookup(rabbit_misc:r(<<\"/\">>, queue, <<\"" + queue + "\">>)),"
                + " {ok, Members, {_, Leader}} = ra:members(amqqueue:get_pid(Q)),"
                + " string:join([atom_to_list(N) || N <- [Leader | [M || {_, M} <- Members]]], \" \").";
    }

    /** Reads what {@code rabbitmqctl eval} printed for {@link #query}, e.g. {@code "rabbit1@h rabbit1@h rabbit2@h"}. */
    static QuorumMembership parse(String printed) {
        String text = printed.strip();
        if (text.length() < 2 || !text.startsWith("\"") || !text.endsWith("\"")) {
            throw new AssertionError("unexpected answer to the quorum membership query: " + printed);
        }
        List<String> names =
                Arrays.asList(text.substring(1, text.length() - 1).trim().split(" +"));
        if (names.size() < 2) {
            throw new AssertionError("no members in the answer to the quorum membership query: " + printed);
        }
        return new QuorumMembership(Set.copyOf(names.subList(1, names.size())), names.get(0));
    }
}
