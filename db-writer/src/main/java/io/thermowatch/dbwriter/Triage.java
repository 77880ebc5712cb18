package io.thermowatch.dbwriter;

import io.thermowatch.common.amqp.AmqpDelivery;

/** Decides what the writer does with one delivery: store, reject or ignore. Pure and thread-safe. */
interface Triage {

    DeliveryTriage.Outcome classify(AmqpDelivery delivery);
}
