package org.bitnetspark.spark.run;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.bitnetspark.engine.eval.AnswerMatch;
import org.bitnetspark.engine.eval.ChoiceScores;
import org.bitnetspark.engine.eval.MultipleChoiceScorer;
import org.bitnetspark.engine.generate.BatchScheduler;
import org.bitnetspark.engine.generate.FinishReason;
import org.bitnetspark.engine.generate.GenerationRequest;
import org.bitnetspark.engine.generate.GenerationResult;
import org.bitnetspark.spark.jobs.EvalInput;
import org.bitnetspark.spark.jobs.JobSettings;
import org.bitnetspark.spark.metrics.JobMetrics;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Evaluation over one partition of {@link EvalInput#SCHEMA} rows: rows are taken in groups of
 * batch-size; the group's multiple-choice tasks are scored together ({@link MultipleChoiceScorer},
 * shared context) and its generation tasks decoded together (greedy by default), then the group's
 * output rows leave in input order, one per input row ({@link
 * org.bitnetspark.spark.jobs.OutputSchemas#EVALUATE}), errors included.
 */
public final class EvaluatePartition implements MapPartitionsFunction<Row, Row>, PartitionWork {
  private static final long serialVersionUID = 1L;
  static final String MULTIPLE_CHOICE = "multiple_choice";
  static final String GENERATION = "generation";
  private final JobSettings settings;
  private final JobMetrics metrics;

  public EvaluatePartition(JobSettings settings, JobMetrics metrics) {
    this.settings = settings;
    this.metrics = metrics;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> input) {
    return run(input, new TaskRuntime(settings, metrics));
  }

  @Override
  public Iterator<Row> run(Iterator<Row> input, TaskRuntime task) {
    Runtime rt = new Runtime(task, metrics, task.engine.newMultipleChoiceScorer(settings.eval().shareContext(),
        settings.eval().separator()), task.engine.newScheduler(task.batchSize), settings);
    return new Iterator<>() {
      private final ArrayDeque<Row> ready = new ArrayDeque<>();

      @Override
      public boolean hasNext() {
        if (ready.isEmpty() && input.hasNext()) {
          List<Row> rows = new ArrayList<>(task.batchSize);
          while (rows.size() < task.batchSize && input.hasNext()) rows.add(input.next());
          ready.addAll(new Group(rows, rt).run());
        }
        return !ready.isEmpty();
      }

      @Override
      public Row next() {
        if (!hasNext()) throw new NoSuchElementException();
        return ready.poll();
      }
    };
  }

  /** The Spark task's engine objects, shared by its groups. */
  private record Runtime(TaskRuntime task, JobMetrics metrics, MultipleChoiceScorer scorer, BatchScheduler scheduler,
      JobSettings settings) {}

  /** One group of input rows, evaluated together. */
  private static final class Group {
    private final List<Row> rows;
    private final Runtime rt;
    private final Row[] out;

    Group(List<Row> rows, Runtime rt) {
      this.rows = rows;
      this.rt = rt;
      this.out = new Row[rows.size()];
    }

    List<Row> run() {
      List<Integer> mcRows = new ArrayList<>();
      List<MultipleChoiceScorer.Prepared> mcTasks = new ArrayList<>();
      List<Integer> mcGold = new ArrayList<>();
      List<GenerationRequest> genRequests = new ArrayList<>();
      for (int i = 0; i < rows.size(); i++) {
        Row r = rows.get(i);
        try {
          String inputError = r.getAs("input_error");
          if (inputError != null) throw new IllegalArgumentException(inputError);
          List<String> choices = r.isNullAt(r.fieldIndex("choices")) ? null : r.getList(r.fieldIndex("choices"));
          if (choices != null) {
            Integer gold = parseGold(r.getAs("gold"), choices.size());
            mcTasks.add(rt.scorer.prepare(r.getAs("context"), choices));
            mcRows.add(i);
            mcGold.add(gold);
          } else if (r.getAs("prompt") != null || !r.isNullAt(r.fieldIndex("references"))) {
            String id = r.getAs("id");
            genRequests.add(new GenerationRequest(Integer.toString(i), r.getAs("prompt"), rt.settings.maxTokens(),
                rt.settings.sampling(rt.settings.rowSeed(id == null ? "" : id)), rt.settings.stopStrings(), null,
                GenerationRequest.PromptOverflow.parse(rt.settings.promptOverflow())));
          } else {
            throw new IllegalArgumentException("the row has neither choices (a multiple-choice task) nor a prompt "
                + "(a generation task)");
          }
        } catch (IllegalArgumentException e) {
          out[i] = error(r, typeOf(r), e.getMessage(), 0);
        }
      }
      scoreChoices(mcRows, mcTasks, mcGold);
      generate(genRequests);
      for (Row o : out) {
        rt.metrics.rows.add(1);
        rt.task.rows++;
        if (!o.isNullAt(17)) rt.metrics.errors.add(1);
      }
      rt.task.peakKvBytes = Math.max(rt.task.peakKvBytes, rt.scheduler.peakKvBytes());
      return Arrays.asList(out);
    }

    private void scoreChoices(List<Integer> mcRows, List<MultipleChoiceScorer.Prepared> tasks, List<Integer> gold) {
      if (tasks.isEmpty()) return;
      long start = System.nanoTime();
      List<ChoiceScores> scores = rt.scorer.score(tasks);
      long latency = (System.nanoTime() - start) / 1_000_000 / tasks.size(); // the group's time, shared out
      for (int k = 0; k < tasks.size(); k++) {
        Row r = rows.get(mcRows.get(k));
        ChoiceScores s = scores.get(k);
        Integer g = gold.get(k);
        long scored = Arrays.stream(s.tokenCounts()).sum();
        rt.metrics.promptTokens.add(s.evaluatedTokens());
        rt.metrics.outputTokens.add(scored);
        rt.task.tokens += s.evaluatedTokens();
        out[mcRows.get(k)] = RowFactory.create(r.getAs("id"), r.getAs("task"), MULTIPLE_CHOICE, g, s.chosen(),
            s.chosenPerByte(), s.chosenPerToken(), g == null ? null : s.chosen() == g,
            g == null ? null : s.chosenPerByte() == g, g == null ? null : s.chosenPerToken() == g,
            boxed(s.logLikelihoods()), boxed(s.tokenCounts()), boxed(s.byteLengths()), null, null, null,
            s.evaluatedTokens(), null, latency, rt.task.executorId);
      }
    }

    private void generate(List<GenerationRequest> requests) {
      if (requests.isEmpty()) return;
      Map<String, GenerationResult> results = new HashMap<>();
      rt.scheduler.run(requests.iterator(), r -> results.put(r.id(), r));
      for (GenerationRequest q : requests) {
        int i = Integer.parseInt(q.id());
        Row r = rows.get(i);
        GenerationResult g = results.get(q.id());
        long evaluated = g.promptTokens().length + g.tokens().length;
        rt.metrics.promptTokens.add(g.promptTokens().length);
        rt.metrics.outputTokens.add(g.tokens().length);
        rt.task.tokens += evaluated;
        if (g.finishReason() == FinishReason.ERROR) {
          out[i] = error(r, GENERATION, g.error(), g.latencyNanos() / 1_000_000);
          continue;
        }
        List<String> refs = r.isNullAt(r.fieldIndex("references")) ? null : r.getList(r.fieldIndex("references"));
        out[i] = RowFactory.create(r.getAs("id"), r.getAs("task"), GENERATION, null, null, null, null, null, null, null,
            null, null, null, g.text(), refs == null ? null : AnswerMatch.exactMatch(g.text(), refs),
            refs == null ? null : AnswerMatch.contains(g.text(), refs), evaluated, null, g.latencyNanos() / 1_000_000,
            rt.task.executorId);
      }
    }

    private Row error(Row r, String type, String message, long latencyMs) {
      return RowFactory.create(r.getAs("id"), r.getAs("task"), type, null, null, null, null, null, null, null, null,
          null, null, null, null, null, 0L, message, latencyMs, rt.task.executorId);
    }

    private static String typeOf(Row r) {
      if (!r.isNullAt(r.fieldIndex("choices"))) return MULTIPLE_CHOICE;
      return r.getAs("prompt") != null || !r.isNullAt(r.fieldIndex("references")) ? GENERATION : null;
    }

    /** null (unlabelled), a choice index, or a letter (A = 0, as ARC and MMLU label choices). */
    static Integer parseGold(String gold, int choices) {
      if (gold == null || gold.isBlank()) return null;
      String g = gold.trim();
      int index;
      if (g.matches("\\d{1,9}")) {
        index = Integer.parseInt(g);
      } else if (g.matches("[A-Z]")) {
        index = g.charAt(0) - 'A';
      } else {
        throw new IllegalArgumentException("gold '" + gold + "' is neither a choice index nor a letter A-Z");
      }
      if (index >= choices) {
        throw new IllegalArgumentException("gold " + g + " is not one of the " + choices + " choices (0.."
            + (choices - 1) + ")");
      }
      return index;
    }

    /** Array columns of a Row built for an encoder are Scala sequences. */
    private static scala.collection.immutable.Seq<Double> boxed(double[] v) {
      return CollectionConverters.asScala(Arrays.stream(v).boxed().toList()).toList();
    }

    private static scala.collection.immutable.Seq<Integer> boxed(int[] v) {
      return CollectionConverters.asScala(Arrays.stream(v).boxed().toList()).toList();
    }
  }
}
