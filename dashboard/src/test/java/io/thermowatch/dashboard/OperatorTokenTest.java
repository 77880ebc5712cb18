package io.thermowatch.dashboard;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class OperatorTokenTest {

    private final OperatorToken token = new OperatorToken("operator-demo-token-change-me");

    @Test
    void the_right_bearer_token_is_accepted_whatever_the_case_of_the_scheme() {
        assertTrue(token.accepts("Bearer operator-demo-token-change-me"));
        assertTrue(token.accepts("bearer operator-demo-token-change-me"));
    }

    @Test
    void a_missing_wrong_truncated_or_extended_token_is_refused() {
        assertFalse(token.accepts(null));
        assertFalse(token.accepts(""));
        assertFalse(token.accepts("Bearer "));
        assertFalse(token.accepts("Bearer operator-demo-token-change-m"));
        assertFalse(token.accepts("Bearer operator-demo-token-change-me2"));
        assertFalse(token.accepts("Bearer OPERATOR-DEMO-TOKEN-CHANGE-ME"));
    }

    @Test
    void the_token_in_another_scheme_is_refused() {
        assertFalse(token.accepts("Basic operator-demo-token-change-me"));
        assertFalse(token.accepts("operator-demo-token-change-me"));
    }
}
