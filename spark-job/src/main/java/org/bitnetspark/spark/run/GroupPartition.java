package org.bitnetspark.spark.run;

import java.io.Serializable;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.SparkEnv;
import org.apache.spark.sql.Row;
import org.bitnetspark.engine.parallel.GroupMember;
import org.bitnetspark.engine.parallel.Parallelism;
import org.bitnetspark.engine.parallel.PeerMesh;
import org.bitnetspark.spark.jobs.JobSettings;
import org.bitnetspark.spark.metrics.JobMetrics;
import org.bitnetspark.spark.metrics.RankStats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.AbstractFunction1;

/**
 * One task of a model-parallel barrier stage: loads its rank's part, listens on its executor's
 * address, learns its peers' addresses through {@link BarrierTaskContext#allGather}, connects, and
 * then either runs the job's partition work over the group (the controller, which has the group's
 * rows) or serves the controller's steps (the workers, which have none). Any failure fails the task,
 * its peers see the connection drop, and Spark retries the whole stage.
 */
public final class GroupPartition extends AbstractFunction1<scala.collection.Iterator<byte[]>,
    scala.collection.Iterator<Row>> implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(GroupPartition.class);
  /**
   * Fault injection for tests, as a Spark local property {@code "rank:steps"}: on the stage's first
   * attempt that rank drops its connections after that many forward steps, as a dying executor would.
   */
  public static final String KILL_RANK_PROPERTY = "bitnet.test.killRank";

  private final GroupPlan plan;
  private final JobSettings settings;
  private final JobMetrics metrics;
  private final PartitionWork work;

  GroupPartition(GroupPlan plan, JobSettings settings, JobMetrics metrics, PartitionWork work) {
    this.plan = plan;
    this.settings = settings;
    this.metrics = metrics;
    this.work = work;
  }

  @Override
  public scala.collection.Iterator<Row> apply(scala.collection.Iterator<byte[]> input) {
    BarrierTaskContext ctx = BarrierTaskContext.get();
    Parallelism p = plan.parallelism();
    int partition = ctx.partitionId();
    int group = partition / p.degree();
    int rank = partition % p.degree();
    TaskRuntime task = TaskRuntime.forPart(settings, metrics, rank, p.degree());
    ServerSocket listener = PeerMesh.listen(bindAddress());
    String[] everyone = ctx.allGather(listener.getInetAddress().getHostAddress() + ":" + listener.getLocalPort());
    List<InetSocketAddress> peers = new ArrayList<>();
    for (int r = 0; r < p.degree(); r++) peers.add(parse(everyone[plan.partitionOf(group, r)]));
    LOG.info("group {} rank {} of {} ({}) on {}: peers {}", group, rank, p, task.engine.model().part().describe(),
        peers.get(rank), peers);
    GroupMember member = GroupMember.join(p, rank, task.engine.model(), task.engine.newCompute(), peers, listener,
        plan.secret(), Duration.ofSeconds(plan.timeoutSeconds()));
    task.beforeFinish(() -> {
      member.close();
      metrics.ranks.add(new RankStats(group, task.executorId, member.stats()));
    });
    injectFault(ctx, rank, member);
    if (!member.isController()) {
      member.serve();
      if (input.hasNext()) throw new IllegalStateException("a worker rank of " + p + " was given input rows");
      return CollectionConverters.asScala(Collections.<Row>emptyIterator());
    }
    task.engine.driveGroup(member.controller());
    Iterator<Row> rows = new Iterator<>() {
      @Override
      public boolean hasNext() {
        return input.hasNext();
      }

      @Override
      public Row next() {
        return RowCodec.decode(input.next(), plan.inputSchema());
      }
    };
    return CollectionConverters.asScala(work.run(rows, task));
  }

  private static void injectFault(BarrierTaskContext ctx, int rank, GroupMember member) {
    String spec = ctx.getLocalProperty(KILL_RANK_PROPERTY);
    if (spec == null || ctx.stageAttemptNumber() > 0 || Integer.parseInt(spec.split(":")[0]) != rank) return;
    int steps = Integer.parseInt(spec.split(":")[1]);
    Thread killer = new Thread(() -> {
      while (member.stats().forwardSteps() < steps) {
        try {
          Thread.sleep(2);
        } catch (InterruptedException e) {
          return;
        }
      }
      LOG.warn("test fault injection: rank {} drops its connections after {} steps", rank, steps);
      member.close();
    }, "bitnet-test-fault");
    killer.setDaemon(true);
    killer.start();
  }

  /** This executor's own address (Spark's block manager host): never a wildcard address. */
  private static InetAddress bindAddress() {
    SparkEnv env = SparkEnv.get();
    String host = env == null ? "127.0.0.1" : env.blockManager().blockManagerId().host();
    try {
      return InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new IllegalStateException("cannot resolve this executor's host '" + host + "' to listen for its group's "
          + "peers: " + e.getMessage(), e);
    }
  }

  private static InetSocketAddress parse(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
  }
}
