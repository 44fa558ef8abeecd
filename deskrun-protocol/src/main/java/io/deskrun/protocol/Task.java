package io.deskrun.protocol;

/** One script to run: the decoded script text and its time limit in seconds. */
public record Task(String invokeId, ScriptType type, String content, long timeoutSeconds) {}
