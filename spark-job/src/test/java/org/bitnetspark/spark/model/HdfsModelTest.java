package org.bitnetspark.spark.model;

import static org.bitnetspark.spark.testing.DatasetAssertions.assertSameRows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.sql.SparkSession;
import org.bitnetspark.engine.checkpoint.TinyCheckpoints;
import org.bitnetspark.engine.io.ModelSource;
import org.bitnetspark.engine.io.ModelSources;
import org.bitnetspark.engine.model.BitNetModel;
import org.bitnetspark.engine.model.ModelLoader;
import org.bitnetspark.spark.jobs.BatchJob;
import org.bitnetspark.spark.jobs.InputSpec;
import org.bitnetspark.spark.jobs.JobSettings;
import org.bitnetspark.spark.jobs.OutputSpec;
import org.bitnetspark.spark.metrics.JobSummary;
import org.bitnetspark.spark.testing.LocalSpark;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A model on a real HDFS (an in-process MiniDFSCluster), read through the Hadoop FileSystem API. */
@ExtendWith(LocalSpark.class)
class HdfsModelTest {
  @TempDir
  static Path dir;
  static MiniDFSCluster cluster;
  static String modelUri;

  @BeforeAll
  static void startHdfs() throws Exception {
    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, dir.resolve("hdfs").toString());
    cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
    cluster.waitActive();
    FileSystem fs = cluster.getFileSystem();
    byte[] model;
    try (ModelSource bundled = ModelSources.bundled()) {
      model = new byte[(int) bundled.size()];
      bundled.slice(0, model.length).get(model);
    }
    org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path("/models/shakespeare.gguf");
    try (OutputStream out = fs.create(path)) {
      out.write(model);
    }
    modelUri = fs.getUri() + "/models/shakespeare.gguf";
    StringBuilder prompts = new StringBuilder();
    for (int i = 0; i < 12; i++) prompts.append("{\"id\":\"h").append(i).append("\",\"prompt\":\"ROMEO:\\n\"}\n");
    Files.writeString(dir.resolve("prompts.jsonl"), prompts);
  }

  @AfterAll
  static void stopHdfs() {
    if (cluster != null) cluster.shutdown();
  }

  @Test
  void theEngineLoadsAModelFromAnHdfsUri() {
    BitNetModel m = ModelLoader.load(modelUri);
    assertEquals(3, m.config().layers());
    assertTrue(m.uri().startsWith("hdfs://"), m.uri());
  }

  private static JobSummary generate(SparkSession spark, String model, ModelDistribution d, String out) throws Exception {
    return BatchJob.run(spark, BatchJob.Kind.GENERATE,
        new InputSpec(dir.resolve("prompts.jsonl").toString(), "json", "id", "prompt", null),
        new OutputSpec(out, "parquet", "error", null), model, d,
        ref -> new JobSettings(ref, "per-token", "f16", 1, 4, 8, 0.8f, 40, 0.95f, 0.05f, 1f, 7, List.of(), "error", "sliding", 0, 0),
        2, new PrintStream(new ByteArrayOutputStream(), true));
  }

  /**
   * A Hugging Face checkpoint directory on HDFS: the driver converts it once and broadcasts the compact
   * GGUF, or each executor reads the directory itself; both give the texts of the same directory on
   * the local file system.
   */
  @Test
  void jobsReadACheckpointDirectoryFromHdfs(SparkSession spark) throws Exception {
    Path local = dir.resolve("ckpt");
    new TinyCheckpoints(TinyCheckpoints.Layout.LATENT_1BITLLM, 9).write(local); // float weights: 32 bits each
    FileSystem fs = cluster.getFileSystem();
    fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(local.toUri()), new org.apache.hadoop.fs.Path("/models/ckpt"));
    String hdfsCheckpoint = fs.getUri() + "/models/ckpt";
    generate(spark, local.toString(), ModelDistribution.PATH, dir.resolve("ck-local").toString());
    JobSummary byPath = generate(spark, hdfsCheckpoint, ModelDistribution.PATH, dir.resolve("ck-path").toString());
    JobSummary byBroadcast = generate(spark, hdfsCheckpoint, ModelDistribution.BROADCAST, dir.resolve("ck-bc").toString());
    assertEquals(0, byPath.errors());
    assertTrue(byBroadcast.broadcastBytes() > 0, "the converted GGUF is broadcast");
    assertTrue(byBroadcast.broadcastBytes() < Files.size(local.resolve("model.safetensors")) / 2,
        "float projections ternarised and packed at 2 bits: far smaller than the checkpoint");
    assertSameRows(spark.read().parquet(dir.resolve("ck-local").toString()),
        spark.read().parquet(dir.resolve("ck-path").toString()), "id", "completion");
    assertSameRows(spark.read().parquet(dir.resolve("ck-local").toString()),
        spark.read().parquet(dir.resolve("ck-bc").toString()), "id", "completion");
  }

  /** Both distributions of the HDFS copy give the bundled model's texts; stats go to HDFS too. */
  @Test
  void jobsReadTheModelFromHdfsByPathAndByBroadcast(SparkSession spark) throws Exception {
    String local = dir.resolve("local").toString();
    String hdfsOut = cluster.getFileSystem().getUri() + "/out/path";
    generate(spark, "default", ModelDistribution.BROADCAST, local);
    JobSummary byPath = generate(spark, modelUri, ModelDistribution.PATH, hdfsOut);
    JobSummary byBroadcast = generate(spark, modelUri, ModelDistribution.BROADCAST, dir.resolve("bc").toString());
    assertEquals("path", byPath.distribution());
    assertEquals(0, byPath.broadcastBytes());
    assertEquals(byBroadcast.modelFileBytes(), byBroadcast.broadcastBytes());
    assertSameRows(spark.read().parquet(local), spark.read().parquet(hdfsOut), "id", "completion");
    assertSameRows(spark.read().parquet(local), spark.read().parquet(dir.resolve("bc").toString()), "id", "completion");
    assertTrue(cluster.getFileSystem().exists(new org.apache.hadoop.fs.Path("/out/path.stats.json")));
  }
}
