package org.bitnetspark.spark.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.tools.nsc.Settings;
import scala.tools.nsc.interpreter.IMain;
import scala.tools.nsc.interpreter.Results;
import scala.tools.nsc.interpreter.shell.ReplReporterImpl;

/**
 * Runs every paragraph of every notebook in {@code notebooks/} for real, the way Zeppelin's Spark
 * interpreter does: {@code %spark} paragraphs in the Scala 2.13 compiler's REPL with the project on its
 * class path and {@code spark}/{@code sc} bound to a local session with our SQL extensions;
 * {@code %sql} paragraphs through {@code spark.sql}; {@code %md} is skipped. A paragraph that fails
 * fails the test with the interpreter's output; every SQL result must have the columns listed here,
 * at least one row, and no null in them.
 */
class ZeppelinNotebooksTest {
  /** Expected columns of each SQL paragraph, by notebook file and paragraph title. */
  static final Map<String, Map<String, List<String>>> SQL_COLUMNS = Map.of(
      "1-generation.zpln", Map.of(
          "Greedy completions", List.of("id", "prompt", "completion", "completion_tokens", "finish_reason"),
          "Sampling options side by side", List.of("id", "prompt", "greedy", "temp_0_7", "temp_1_2_unfiltered"),
          "One prompt, four seeds", List.of("seed", "completion"),
          "Prompt length in tokens", List.of("id", "prompt", "tokens")),
      "2-perplexity.zpln", Map.of(
          "Per-document perplexity", List.of("id", "perplexity", "tokens_scored"),
          "The worst documents", List.of("id", "perplexity", "tokens_scored", "beginning"),
          "Corpus perplexity (token-weighted)", List.of("corpus_perplexity", "tokens", "documents"),
          "Row by row with the SQL function", List.of("id", "perplexity")),
      "3-model-inspection.zpln", Map.of(
          "Metadata", List.of("key", "value"),
          "Tensor types", List.of("type", "tensors", "elements", "file_bytes", "bits_per_weight"),
          "Memory per layer", List.of("part", "file_mib", "resident_mib"),
          "Bits per weight of the ternary matrices", List.of("name", "type", "shape", "bits_per_weight", "resident_bytes"),
          "Largest tensors", List.of("name", "type", "shape", "file_bytes")),
      "4-run-statistics.zpln", Map.of(
          "Throughput per stage", List.of("stage", "tasks", "seconds", "rows", "output_tokens", "tokens_per_s"),
          "Memory per executor", List.of("executor_id", "model_mib", "peak_kv_mib", "peak_heap_mib"),
          "Work per executor", List.of("executor_id", "tasks", "rows", "tokens", "busy_s", "tokens_per_s", "model_loads")));

  static SparkSession spark;
  static IMain repl;
  static StringWriter replOutput = new StringWriter();
  static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void startInterpreter(@TempDir Path outDir) {
    // what a Zeppelin Spark interpreter configured as notebooks/README.md says gives its paragraphs
    spark = SparkSession.builder().master("local[2]").appName("bitnet notebooks")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.extensions", "org.bitnetspark.spark.sql.BitNetSparkExtensions")
        .config("spark.repl.class.outputDir", outDir.toString())
        .getOrCreate();
    Settings settings = new Settings();
    settings.processArgumentString("-usejavacp -Yrepl-class-based -Yrepl-outdir " + outDir);
    repl = new IMain(settings, new ReplReporterImpl(settings, new PrintWriter(replOutput, true)));
    interpret("(binding spark)", "val spark = org.apache.spark.sql.SparkSession.active\nval sc = spark.sparkContext");
  }

  @AfterAll
  static void stop() {
    if (repl != null) repl.close();
    if (spark != null) spark.stop();
  }

  static Path notebooksDir() {
    Path dir = Path.of(System.getProperty("bitnet.notebooks.dir", "../notebooks"));
    assertTrue(Files.isDirectory(dir), "no notebooks folder at " + dir.toAbsolutePath());
    return dir;
  }

  @Test
  void everyParagraphOfEveryNotebookRuns() throws IOException {
    List<Path> notebooks;
    try (Stream<Path> s = Files.list(notebooksDir())) {
      notebooks = s.filter(p -> p.toString().endsWith(".zpln")).sorted().toList();
    }
    assertEquals(SQL_COLUMNS.keySet().stream().sorted().toList(),
        notebooks.stream().map(p -> p.getFileName().toString()).toList(), "every notebook has its expectations here");
    for (Path notebook : notebooks) run(notebook);
  }

  private static void run(Path notebook) throws IOException {
    JsonNode note = JSON.readTree(notebook.toFile());
    String file = notebook.getFileName().toString();
    assertNotNull(note.get("name"), file + ": a Zeppelin note has a name");
    Map<String, List<String>> expected = SQL_COLUMNS.get(file);
    List<String> sqlTitles = new ArrayList<>();
    for (JsonNode p : note.get("paragraphs")) {
      String title = p.get("title").asText();
      String text = p.get("text").asText();
      String where = file + " / " + title;
      int newline = text.indexOf('\n');
      String interpreter = newline < 0 ? text.trim() : text.substring(0, newline).trim();
      String body = newline < 0 ? "" : text.substring(newline + 1);
      switch (interpreter) {
        case "%md" -> { }
        case "%spark", "%spark.spark" -> interpret(where, body);
        case "%sql", "%spark.sql" -> {
          sqlTitles.add(title);
          List<String> columns = expected.get(title);
          assertNotNull(columns, where + ": no expected columns for this SQL paragraph in the test");
          check(where, spark.sql(body), columns);
        }
        default -> fail(where + ": unknown interpreter " + interpreter);
      }
    }
    assertEquals(expected.keySet().stream().sorted().toList(), sqlTitles.stream().sorted().toList(),
        file + ": the SQL paragraphs the test expects");
  }

  private static void interpret(String where, String code) {
    int before = replOutput.getBuffer().length();
    Results.Result r = repl.interpret(code);
    String output = replOutput.getBuffer().substring(before);
    if (r != Results.Success$.MODULE$) fail(where + ": the paragraph failed (" + r + "):\n" + output);
  }

  private static void check(String where, Dataset<Row> result, List<String> columns) {
    assertEquals(columns, Arrays.asList(result.columns()), where + ": columns");
    List<Row> rows = result.collectAsList();
    assertFalse(rows.isEmpty(), where + ": no rows");
    for (Row row : rows) {
      for (int i = 0; i < columns.size(); i++) {
        assertFalse(row.isNullAt(i), where + ": null " + columns.get(i) + " in " + row);
      }
    }
  }
}
