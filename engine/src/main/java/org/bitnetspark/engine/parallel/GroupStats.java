package org.bitnetspark.engine.parallel;

import java.io.Serializable;

/**
 * What one rank of a model-parallel group did: time computing, time blocked on peers during forward
 * steps (communication and pipeline bubbles), time idle between steps (a worker waiting for the
 * controller's next step), traffic, and the weight bytes it holds.
 *
 * @param forwardNanos the controller's wall time inside forward steps (0 on workers)
 * @param tokens batch rows (tokens) run through the model
 * @param logitRows rows whose logits were computed (counted by the controller)
 */
public record GroupStats(int rank, boolean controller, long computeNanos, long commNanos, long idleNanos,
    long bytesSent, long bytesReceived, long forwardSteps, long forwardNanos, long tokens, long logitRows,
    long weightBytes) implements Serializable {}
