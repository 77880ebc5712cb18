package io.thermowatch.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;

class QuorumMembershipTest {

    @Test
    void the_leader_comes_first_then_every_member() {
        // When
        QuorumMembership membership =
                QuorumMembership.parse("\"rabbit2@localhost rabbit1@localhost rabbit2@localhost rabbit3@localhost\"\n");

        // Then
        assertEquals("rabbit2@localhost", membership.leader());
        assertEquals(Set.of("rabbit1@localhost", "rabbit2@localhost", "rabbit3@localhost"), membership.members());
    }

    @Test
    void an_answer_that_is_not_a_string_of_names_is_an_error_that_quotes_it() {
        AssertionError error = assertThrows(AssertionError.class, () -> QuorumMembership.parse("{error,not_found}"));

        assertTrue(error.getMessage().contains("{error,not_found}"), error.getMessage());
    }

    @Test
    void the_query_refuses_a_queue_name_it_would_have_to_escape() {
        assertThrows(IllegalArgumentException.class, () -> QuorumMembership.query("a\">>, evil"));
    }
}
