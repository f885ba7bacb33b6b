package org.bitnetspark.spark.run;

import java.util.Iterator;
import org.apache.spark.sql.Row;

/**
 * A job's work on one partition's rows with a given task runtime: a data-parallel task makes its own
 * runtime, a model-parallel group's controller passes the runtime that drives its group.
 */
interface PartitionWork {
  Iterator<Row> run(Iterator<Row> input, TaskRuntime task);
}
