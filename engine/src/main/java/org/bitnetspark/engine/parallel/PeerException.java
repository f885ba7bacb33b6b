package org.bitnetspark.engine.parallel;

/**
 * A model-parallel peer could not be reached, failed authentication, timed out or broke the
 * protocol. The message names the peer (rank and address); in Spark the task fails and the whole
 * barrier stage is retried.
 */
public final class PeerException extends RuntimeException {
  public PeerException(String message) {
    super(message);
  }

  public PeerException(String message, Throwable cause) {
    super(message, cause);
  }
}
