package io.sluice.gateway.core;

/**
 * What became of one feedback call's labels.
 *
 * @param matched joined to a logged prediction and scored
 * @param unknownId no prediction with that id (never seen, evicted, or another model's)
 * @param expired the prediction is older than the label TTL
 * @param duplicate the prediction was already labelled (the first label wins)
 */
public record FeedbackResult(int matched, int unknownId, int expired, int duplicate) {}
