package org.bitnetspark.spark.metrics;

import java.io.Serializable;
import org.bitnetspark.engine.parallel.GroupStats;

/** One rank of one model-parallel group, as its task reported it. */
public record RankStats(int group, String executorId, GroupStats stats) implements Serializable {}
