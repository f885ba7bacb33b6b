package org.bitnetspark.spark.run;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.bitnetspark.spark.jobs.JobSettings;
import org.bitnetspark.spark.metrics.JobMetrics;
import scala.Tuple2;
import scala.reflect.ClassTag$;

/**
 * The driver's side of a model-parallel job: shuffles the input rows to their groups' controller
 * partitions and runs the job's partition work as one barrier stage of {@code groups x degree} tasks
 * (all scheduled at once; any failure retries the whole stage, so every row is still delivered).
 * Rows are dealt to the groups round robin.
 */
public final class GroupStage {
  private GroupStage() {}

  public static Dataset<Row> run(SparkSession spark, Dataset<Row> input, GroupPlan plan, JobSettings settings,
      JobMetrics metrics, MapPartitionsFunction<Row, Row> work, StructType outputSchema) {
    if (!(work instanceof PartitionWork partitionWork)) {
      throw new IllegalArgumentException(work.getClass().getName() + " cannot run in a model-parallel group");
    }
    int partitions = plan.partitions();
    JavaRDD<Tuple2<Integer, byte[]>> keyed = input.javaRDD().mapPartitionsWithIndex((index, rows) -> {
      List<Tuple2<Integer, byte[]>> out = new ArrayList<>();
      for (int i = index; rows.hasNext(); i++) {
        out.add(new Tuple2<>(plan.controllerPartitionFor(i), RowCodec.encode(rows.next()))); // round robin
      }
      return out.iterator();
    }, true);
    // an Integer key k < partitions lands in partition k: each group's rows reach its controller
    JavaRDD<byte[]> grouped = JavaPairRDD.fromJavaRDD(keyed).partitionBy(new HashPartitioner(partitions)).values();
    RDD<Row> results = grouped.rdd().barrier().mapPartitions(new GroupPartition(plan, settings, metrics, partitionWork),
        false, ClassTag$.MODULE$.apply(Row.class));
    // Spark retries a failed barrier stage only when it is a shuffle-map stage (a result stage may have
    // committed output), so the results cross one more shuffle before they are written
    return spark.createDataFrame(results.toJavaRDD(), outputSchema).repartition(plan.groups());
  }
}
