package org.bitnetspark.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI contract: output formats, exit codes and messages (bundled model; no ../shared). */
class BitNetCliTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  record Run(int exit, String out, String err) {}

  static Run cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = BitNetCli.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(exit, out.toString(), err.toString());
  }

  private static double best(JsonNode samples) {
    double best = Double.NEGATIVE_INFINITY;
    for (JsonNode s : samples) best = Math.max(best, s.asDouble());
    return best;
  }

  @Test
  void everyCommandHasHelp() {
    for (String c : new String[] {"generate", "logits", "perplexity", "tokenize", "info", "synth", "bench"}) {
      Run r = cli(c, "--help");
      assertEquals(0, r.exit, c);
      assertTrue(r.out.contains("Usage: bitnet-engine " + c), c + ": " + r.out);
    }
    Run generateHelp = cli("generate", "--help");
    for (String option : new String[] {"--activation-quant", "--threads", "--kv-cache", "--model", "--seed", "--stop"}) {
      assertTrue(generateHelp.out.contains(option), "generate --help lists " + option);
    }
  }

  @Test
  void generateJsonIsReproducibleForASeed() throws Exception {
    Run a = cli("generate", "--prompt", "ROMEO:", "--max-tokens", "12", "--seed", "3", "--json", "--threads", "2");
    Run b = cli("generate", "--prompt", "ROMEO:", "--max-tokens", "12", "--seed", "3", "--json", "--threads", "1");
    assertEquals(0, a.exit, a.err);
    JsonNode j = JSON.readTree(a.out);
    assertEquals(12, j.get("tokens").size());
    assertEquals(1, j.get("prompt_tokens").get(0).asInt(), "BOS first");
    assertEquals("length", j.get("finish_reason").asText());
    assertEquals(a.out, b.out, "same seed, same output, whatever the thread count");
  }

  @Test
  void generateStreamsTextAndReportsSpeed() {
    Run r = cli("generate", "--prompt", "ROMEO:\n", "--max-tokens", "10", "--temperature", "0");
    assertEquals(0, r.exit, r.err);
    assertTrue(r.out.startsWith("I'll tell thee"), r.out);
    assertTrue(r.err.contains("tokens/s"), r.err);
  }

  @Test
  void logitsJsonHasOneVocabularyRowPerToken() throws Exception {
    Run r = cli("logits", "--tokens", "1,16641,2303", "--json");
    assertEquals(0, r.exit, r.err);
    JsonNode j = JSON.readTree(r.out);
    assertEquals(3, j.get("tokens").size());
    assertEquals(3, j.get("logits").size());
    assertEquals(32000, j.get("logits").get(2).size());
  }

  @Test
  void perplexityJsonAndProgress() throws Exception {
    Path text = dir.resolve("t.txt");
    Files.writeString(text, "ROMEO:\nBut, soft! what light through yonder window breaks?\n".repeat(12));
    Run r = cli("perplexity", "--file", text.toString(), "--ctx", "64", "--json");
    assertEquals(0, r.exit, r.err);
    JsonNode j = JSON.readTree(r.out);
    assertTrue(j.get("perplexity").asDouble() > 1 && j.get("perplexity").asDouble() < 100,
        "a repeated Shakespeare line is easy for the model: " + j);
    assertEquals(j.get("chunks").asInt() * 31, j.get("tokens_scored").asInt());
    assertTrue(r.err.contains("ETA"), "progress on stderr: " + r.err);
    Run sliding = cli("perplexity", "--file", text.toString(), "--ctx", "64", "--method", "sliding", "--json");
    assertEquals(0, sliding.exit, sliding.err);
  }

  @Test
  void tokenizeAndInfo() throws Exception {
    Run t = cli("tokenize", "--text", "Hello world", "--json");
    assertEquals(0, t.exit, t.err);
    assertEquals("[1,15043,3186]", JSON.readTree(t.out).get("tokens").toString(), "the LLaMA-2 ids llama.cpp gives");
    Run noBos = cli("tokenize", "--text", "Hello world", "--no-bos", "--json");
    assertEquals("[15043,3186]", JSON.readTree(noBos.out).get("tokens").toString());
    Run info = cli("info");
    assertEquals(0, info.exit, info.err);
    assertTrue(info.out.contains("blk.2.ffn_down.weight") && info.out.contains("TQ2_0") && info.out.contains("Q8_0"), info.out);
    assertTrue(info.out.contains("bits/weight") && info.out.contains("KV cache"), info.out);
  }

  @Test
  void synthWritesAModelTheOtherCommandsRun() {
    Path out = dir.resolve("tiny.gguf");
    Run s = cli("synth", "--out", out.toString(), "--shape", "tiny", "--type", "tq1_0", "--seed", "4");
    assertEquals(0, s.exit, s.err);
    Run g = cli("generate", "--model", out.toString(), "--prompt", "abc", "--max-tokens", "3", "--json");
    assertEquals(0, g.exit, g.err);
  }

  /** The bench command's JSON contract (its figures are measurements, not asserted here). */
  @Test
  void benchPrintsTheDocumentedKeys() throws Exception {
    Run r = cli("bench", "--model", "default", "--steps", "3", "--batch", "4", "--json");
    assertEquals(0, r.exit, r.err);
    JsonNode j = JSON.readTree(r.out);
    for (String key : new String[] {"threads", "bandwidth_gb_s", "model_bytes", "decode_tokens_per_s",
        "decode_bandwidth_ratio", "prefill_tokens_per_s", "batch_speedup", "resident_over_file"}) {
      assertTrue(j.has(key), "bench --json has " + key + ": " + j);
    }
    assertTrue(j.get("batch_speedup").has("4"), j.toString());
    // the bandwidth is the best of three probes and batch 1 the best of two measurements, and every ratio is
    // taken against those best figures (the conservative ratios on a machine whose neighbours come and go)
    assertEquals(3, j.get("bandwidth_samples_gb_s").size(), j.toString());
    assertEquals(2, j.get("decode_samples_tokens_per_s").size(), j.toString());
    assertEquals(best(j.get("bandwidth_samples_gb_s")), j.get("bandwidth_gb_s").asDouble(), 0.0, j.toString());
    double decode = j.get("decode_tokens_per_s").asDouble();
    assertEquals(best(j.get("decode_samples_tokens_per_s")), decode, 0.0, j.toString());
    assertEquals(decode * j.get("model_bytes").asLong() / (j.get("bandwidth_gb_s").asDouble() * 1e9),
        j.get("decode_bandwidth_ratio").asDouble(), 1e-9, j.toString());
    assertEquals(j.get("batch_tokens_per_s").get("4").asDouble() / decode, j.get("batch_speedup").get("4").asDouble(),
        1e-9, j.toString());
    assertEquals(j.get("prefill_tokens_per_s").asDouble() / decode, j.get("prefill_over_decode").asDouble(), 1e-9,
        j.toString());
    assertTrue(r.err.contains("best of "), "the text line shows the samples: " + r.err);
    // where a decode step's time went: every stage's share, summing to one
    double shares = 0;
    for (String stage : new String[] {"embed", "norms", "qkv", "attention", "output_projection", "ffn_gate_up",
        "ffn_down", "head", "other"}) {
      assertTrue(j.get("decode_stage_fractions").has(stage), "decode_stage_fractions has " + stage + ": " + j);
      shares += j.get("decode_stage_fractions").get(stage).asDouble();
    }
    assertEquals(1.0, shares, 0.01, "stage shares (each rounded to 0.001) sum to one: " + j);
    assertTrue(j.get("batch_stage_fractions").has("4"), j.toString());
    assertTrue(j.has("transparent_huge_pages"), j.toString());
    assertEquals(4, j.get("decode_context").asInt(), "decoding measured after a 4-token prompt by default");
    Run two = cli("bench", "--model", "default", "--steps", "2", "--batch", "2", "--threads", "1,2", "--context", "40",
        "--json");
    assertEquals(0, two.exit, two.err);
    assertEquals(2, JSON.readTree(two.out).size(), "a list for two thread counts");
    assertEquals(40, JSON.readTree(two.out).get(1).get("decode_context").asInt(), two.out);
    assertEquals(2, cli("bench").exit, "needs --model or --shape");
    Run badContext = cli("bench", "--model", "default", "--context", "0");
    assertEquals(2, badContext.exit);
    assertTrue(badContext.err.contains("--context 0"), badContext.err);
  }

  @Test
  void badOptionsExitWith2AndSayWhatIsWrong() {
    Run unknown = cli("generate", "--prompt", "x", "--bogus");
    assertEquals(2, unknown.exit);
    assertTrue(unknown.err.contains("Unknown option: '--bogus'"), unknown.err);
    Run missing = cli("generate");
    assertEquals(2, missing.exit);
    assertTrue(missing.err.contains("Missing required option: '--prompt=TEXT'"), missing.err);
    Run mode = cli("generate", "--prompt", "x", "--activation-quant", "int4");
    assertEquals(2, mode.exit);
    assertTrue(mode.err.contains("activation-quant 'int4' is not one of per-token, q8k, none"), mode.err);
    Run kv = cli("generate", "--prompt", "x", "--kv-cache", "q8");
    assertEquals(2, kv.exit);
    assertTrue(kv.err.contains("kv-cache 'q8' is not one of f32, f16"), kv.err);
    Run topP = cli("generate", "--prompt", "x", "--top-p", "0");
    assertEquals(2, topP.exit);
    Run empty = cli("generate", "--prompt", "");
    assertEquals(2, empty.exit);
    assertTrue(empty.err.contains("prompt is empty"), empty.err);
    Run token = cli("logits", "--tokens", "1,99999");
    assertEquals(2, token.exit);
    assertTrue(token.err.contains("token id 99999 is outside the vocabulary"), token.err);
    Run shape = cli("synth", "--out", dir.resolve("x").toString(), "--shape", "13b");
    assertEquals(2, shape.exit);
    assertTrue(shape.err.contains("shape '13b' is not one of tiny, 700m, 3b, 2b4t, 8b"), shape.err);
    Run noCommand = cli();
    assertEquals(2, noCommand.exit);
  }

  @Test
  void modelProblemsExitWith1AndNameTheFile() throws Exception {
    Run missing = cli("info", "--model", dir.resolve("nope.gguf").toString());
    assertEquals(1, missing.exit);
    assertTrue(missing.err.contains("nope.gguf does not exist"), missing.err);
    Path junk = dir.resolve("junk.gguf");
    Files.write(junk, new byte[100]);
    Run corrupt = cli("info", "--model", junk.toString());
    assertEquals(1, corrupt.exit);
    assertTrue(corrupt.err.contains("junk.gguf") && corrupt.err.contains("not a GGUF file"), corrupt.err);
  }
}
