package io.deskrun.protocol;

/**
 * A run's progress or result as the agent reports it.
 *
 * <p>{@code status} is {@code Running} for the start and for partial output, or a final status
 * ({@code Success}, {@code Failed}, {@code Timeout}, {@code Terminated}, {@code Cancelled}, {@code
 * Error}). {@code output} is always the whole retained tail (at most {@link
 * AgentProtocol#OUTPUT_LIMIT_BYTES} bytes of UTF-8), and {@code dropped} counts the bytes cut from
 * its front, so a report replaces the previous one instead of appending to it.
 */
public record RunReport(
    String invokeId,
    TargetStatus status,
    Long exitCode,
    String output,
    long dropped,
    String errorCode,
    String errorInfo) {}
