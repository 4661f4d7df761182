package io.sluice.gateway;

/** How the server's log lines are written ({@code --log-format}). */
public enum LogFormat {
  /** {@code [thread] LEVEL logger - message}, the layout of {@code logback.xml}. */
  TEXT,
  /** One JSON object per line, by logback's {@code JsonEncoder}; java.util.logging joins it. */
  JSON
}
