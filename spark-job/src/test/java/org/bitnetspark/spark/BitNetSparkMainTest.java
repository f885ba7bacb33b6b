package org.bitnetspark.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.bitnetspark.spark.testing.LocalSpark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The spark-submit entry point's contract: options checked before Spark starts, exit codes, messages. */
@ExtendWith(LocalSpark.class)
class BitNetSparkMainTest {
  @TempDir
  Path dir;

  record Run(int exit, String out, String err) {}

  static Run main(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    PrintStream saved = System.err;
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    System.setErr(new PrintStream(console, true)); // the job's progress and summary
    try {
      int exit = BitNetSparkMain.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
      return new Run(exit, out.toString(), err + console.toString());
    } finally {
      System.setErr(saved);
    }
  }

  @Test
  void helpListsTheJobsAndTheirOptions() {
    Run r = main("--help");
    assertEquals(0, r.exit);
    assertTrue(r.out.contains("generate") && r.out.contains("perplexity") && r.out.contains("evaluate")
        && r.out.contains("bench"), r.out);
    Run e = main("evaluate", "--help");
    for (String o : new String[] {"--columns", "--task-name", "--separator", "--[no-]share-context", "--max-tokens", "--stop"}) {
      assertTrue(e.out.contains(o), "evaluate --help lists " + o + ": " + e.out);
    }
    Run g = main("generate", "--help");
    for (String o : new String[] {"--input", "--input-format", "--id-col", "--text-col", "--output", "--output-format",
        "--model", "--max-tokens", "--temperature", "--seed", "--batch-size", "--stats", "--options-col"}) {
      assertTrue(g.out.contains(o), "generate --help lists " + o);
    }
  }

  @Test
  void badOptionsExitWith2BeforeAnyWork() {
    Run missing = main("generate", "--output", "x");
    assertEquals(2, missing.exit);
    assertTrue(missing.err.contains("Missing required option: '--input=PATH'"), missing.err);
    Run format = main("generate", "--input", "x", "--output", "y", "--input-format", "xml");
    assertEquals(2, format.exit);
    assertTrue(format.err.contains("input-format 'xml' is not one of parquet, json, csv, text, table"), format.err);
    Run quant = main("perplexity", "--input", "x", "--output", "y", "--activation-quant", "int2");
    assertEquals(2, quant.exit);
    Run temp = main("generate", "--input", "x", "--output", "y", "--temperature", "-2");
    assertEquals(2, temp.exit);
    assertTrue(temp.err.contains("temperature -2.0 must be >= 0"), temp.err);
    Run mode = main("generate", "--input", "x", "--output", "y", "--mode", "replace");
    assertEquals(2, mode.exit);
  }

  @Test
  void runsAJobFromTheCommandLine(SparkSession spark) throws Exception {
    Path input = dir.resolve("in.txt");
    Files.writeString(input, "ROMEO:\nJULIET:\nKING HENRY VI:\n");
    String out = dir.resolve("out").toString();
    Run r = main("generate", "--input", input.toString(), "--output", out, "--max-tokens", "4");
    assertEquals(0, r.exit, r.err);
    assertTrue(r.err.contains("rows: 3 in, 3 out, 0 errors"), r.err);
    assertEquals(3, spark.read().parquet(out).count());
    Run again = main("generate", "--input", input.toString(), "--output", out, "--max-tokens", "4");
    assertEquals(1, again.exit, "the output exists and --mode is error by default");
  }

  @Test
  void runsTheEvaluateJobOnHellaswagLayoutFromTheCommandLine(SparkSession spark) throws Exception {
    Path input = dir.resolve("tasks.hellaswag.txt");
    Files.writeString(input, "ROMEO: What light through yonder\n0\nwindow breaks?\nfish.\ncandle.\nmoon.\n"
        + "JULIET: O Romeo, Romeo!\n1\nstop\nwherefore art thou Romeo?\nand\nbut\n");
    String out = dir.resolve("eval").toString();
    Run r = main("evaluate", "--input", input.toString(), "--output", out, "--no-share-context");
    assertEquals(0, r.exit, r.err);
    assertTrue(r.err.contains("rows: 2 in, 2 out, 0 errors"), r.err);
    assertTrue(r.err.contains("tasks (accuracy ± standard error):") && r.err.contains("tasks ") && r.err.contains("acc_norm"),
        "the per-task table, task named after the file: " + r.err);
    assertEquals(2, spark.read().parquet(out).filter("task = 'tasks' and size(choice_logliks) = 4").count());
    Run badColumns = main("evaluate", "--input", input.toString(), "--output", dir.resolve("e2").toString(),
        "--columns", "context");
    assertEquals(2, badColumns.exit);
    assertTrue(badColumns.err.contains("--columns entry 'context' is not field=column"), badColumns.err);
    Run badField = main("evaluate", "--input", input.toString(), "--output", dir.resolve("e3").toString(),
        "--columns", "question=q");
    assertEquals(2, badField.exit);
    assertTrue(badField.err.contains("'question', which is not one of"), badField.err);
  }

  @Test
  void aMissingColumnNamesTheColumnsThereAre() throws Exception {
    Path input = dir.resolve("in.jsonl");
    Files.writeString(input, "{\"key\": 1, \"question\": \"hi\"}\n");
    Run r = main("generate", "--input", input.toString(), "--output", dir.resolve("o").toString());
    assertEquals(2, r.exit);
    assertTrue(r.err.contains("has no column 'prompt' (--text-col); its columns are [key, question]"), r.err);
  }

  @Test
  void aCorruptModelFailsTheJobBeforeAnyTaskAndNamesTheFile() throws Exception {
    Path input = dir.resolve("in.txt");
    Files.writeString(input, "ROMEO:\n");
    Path model = dir.resolve("broken.gguf");
    Files.write(model, new byte[64]);
    Run r = main("generate", "--input", input.toString(), "--output", dir.resolve("o2").toString(), "--model", model.toString());
    assertEquals(1, r.exit);
    assertTrue(r.err.contains("broken.gguf") && r.err.contains("not a GGUF file"), r.err);
  }
}
