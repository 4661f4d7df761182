package io.sluice.gateway;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Switches the process's logging to {@link LogFormat#JSON} before the server starts: logback's
 * root logger gets a stderr appender with logback's own {@link JsonEncoder} in place of the text
 * one, and java.util.logging (grpc-java's) is routed through SLF4J, so every line on stderr is
 * one JSON object. Logging is process-wide by nature; this runs once, from {@code serve}.
 */
final class LogSetup {
  private LogSetup() {}

  static void use(LogFormat format) {
    if (format != LogFormat.JSON
        || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return;
    }
    JsonEncoder encoder = new JsonEncoder();
    encoder.setContext(context);
    // The message both as its template (stable for grouping) and formatted; the logger
    // context's name and birth time say nothing per line.
    encoder.setWithFormattedMessage(true);
    encoder.setWithContext(false);
    encoder.setWithSequenceNumber(false);
    encoder.start();
    ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
    appender.setContext(context);
    appender.setName("STDERR_JSON");
    appender.setTarget("System.err");
    appender.setEncoder(encoder);
    appender.start();
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.detachAndStopAllAppenders();
    root.addAppender(appender);
    root.setLevel(Level.INFO);
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
  }
}
