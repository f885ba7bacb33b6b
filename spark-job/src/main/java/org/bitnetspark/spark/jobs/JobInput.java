package org.bitnetspark.spark.jobs;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** Where a job's rows come from, read into the column layout its partition function takes. */
public interface JobInput {
  Dataset<Row> read(SparkSession spark);

  /** The path or table name, for messages. */
  String path();
}
