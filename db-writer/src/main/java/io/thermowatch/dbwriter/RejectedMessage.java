package io.thermowatch.dbwriter;

/**
 * A message that is not a valid reading, kept with its bytes for later inspection.
 *
 * @param receivedAtMillis when db-writer received it, epoch milliseconds
 * @param routingKey       routing key as received
 * @param payload          bytes exactly as received
 * @param reason           the rule it broke
 */
record RejectedMessage(long receivedAtMillis, String routingKey, byte[] payload, String reason) {}
