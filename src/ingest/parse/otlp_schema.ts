// The OTLP request messages claude-dash reads, as a protobufjs JSON descriptor: names, field
// numbers and types from opentelemetry-proto (common/v1, resource/v1, logs/v1, metrics/v1 and
// the two collector services), which protobufjs turns into decoders. Only what Claude Code sends
// is described: fields not listed here (exemplars, exponential histograms, summaries) are
// skipped by the decoder as unknown fields, as protobuf decoders must. tests/unit/otlp_test.ts
// checks this schema against the official generated code of @opentelemetry/otlp-transformer.

const kv = "opentelemetry.proto.common.v1.KeyValue";
const f = (
  type: string,
  id: number,
  rule?: "repeated",
) => (rule ? { rule, type, id } : { type, id });
const temporality = "opentelemetry.proto.metrics.v1.AggregationTemporality";

/** protobufjs Root.fromJSON input. */
export const otlpSchema = {
  nested: {
    opentelemetry: {
      nested: {
        proto: {
          nested: {
            common: {
              nested: {
                v1: {
                  nested: {
                    AnyValue: {
                      oneofs: {
                        value: {
                          oneof: [
                            "stringValue",
                            "boolValue",
                            "intValue",
                            "doubleValue",
                            "arrayValue",
                            "kvlistValue",
                            "bytesValue",
                          ],
                        },
                      },
                      fields: {
                        stringValue: f("string", 1),
                        boolValue: f("bool", 2),
                        intValue: f("int64", 3),
                        doubleValue: f("double", 4),
                        arrayValue: f("ArrayValue", 5),
                        kvlistValue: f("KeyValueList", 6),
                        bytesValue: f("bytes", 7),
                      },
                    },
                    ArrayValue: { fields: { values: f("AnyValue", 1, "repeated") } },
                    KeyValueList: { fields: { values: f("KeyValue", 1, "repeated") } },
                    KeyValue: { fields: { key: f("string", 1), value: f("AnyValue", 2) } },
                    InstrumentationScope: {
                      fields: {
                        name: f("string", 1),
                        version: f("string", 2),
                        attributes: f(kv, 3, "repeated"),
                        droppedAttributesCount: f("uint32", 4),
                      },
                    },
                  },
                },
              },
            },
            resource: {
              nested: {
                v1: {
                  nested: {
                    Resource: {
                      fields: {
                        attributes: f(kv, 1, "repeated"),
                        droppedAttributesCount: f("uint32", 2),
                      },
                    },
                  },
                },
              },
            },
            logs: {
              nested: {
                v1: {
                  nested: {
                    ResourceLogs: {
                      fields: {
                        resource: f("opentelemetry.proto.resource.v1.Resource", 1),
                        scopeLogs: f("ScopeLogs", 2, "repeated"),
                        schemaUrl: f("string", 3),
                      },
                    },
                    ScopeLogs: {
                      fields: {
                        scope: f("opentelemetry.proto.common.v1.InstrumentationScope", 1),
                        logRecords: f("LogRecord", 2, "repeated"),
                        schemaUrl: f("string", 3),
                      },
                    },
                    LogRecord: {
                      fields: {
                        timeUnixNano: f("fixed64", 1),
                        observedTimeUnixNano: f("fixed64", 11),
                        severityNumber: f("int32", 2),
                        severityText: f("string", 3),
                        body: f("opentelemetry.proto.common.v1.AnyValue", 5),
                        attributes: f(kv, 6, "repeated"),
                        droppedAttributesCount: f("uint32", 7),
                        flags: f("fixed32", 8),
                        traceId: f("bytes", 9),
                        spanId: f("bytes", 10),
                        eventName: f("string", 12),
                      },
                    },
                  },
                },
              },
            },
            metrics: {
              nested: {
                v1: {
                  nested: {
                    AggregationTemporality: {
                      values: {
                        AGGREGATION_TEMPORALITY_UNSPECIFIED: 0,
                        AGGREGATION_TEMPORALITY_DELTA: 1,
                        AGGREGATION_TEMPORALITY_CUMULATIVE: 2,
                      },
                    },
                    ResourceMetrics: {
                      fields: {
                        resource: f("opentelemetry.proto.resource.v1.Resource", 1),
                        scopeMetrics: f("ScopeMetrics", 2, "repeated"),
                        schemaUrl: f("string", 3),
                      },
                    },
                    ScopeMetrics: {
                      fields: {
                        scope: f("opentelemetry.proto.common.v1.InstrumentationScope", 1),
                        metrics: f("Metric", 2, "repeated"),
                        schemaUrl: f("string", 3),
                      },
                    },
                    Metric: {
                      oneofs: { data: { oneof: ["gauge", "sum", "histogram"] } },
                      fields: {
                        name: f("string", 1),
                        description: f("string", 2),
                        unit: f("string", 3),
                        gauge: f("Gauge", 5),
                        sum: f("Sum", 7),
                        histogram: f("Histogram", 9),
                      },
                    },
                    Gauge: { fields: { dataPoints: f("NumberDataPoint", 1, "repeated") } },
                    Sum: {
                      fields: {
                        dataPoints: f("NumberDataPoint", 1, "repeated"),
                        aggregationTemporality: f(temporality, 2),
                        isMonotonic: f("bool", 3),
                      },
                    },
                    Histogram: {
                      fields: {
                        dataPoints: f("HistogramDataPoint", 1, "repeated"),
                        aggregationTemporality: f(temporality, 2),
                      },
                    },
                    NumberDataPoint: {
                      oneofs: { value: { oneof: ["asDouble", "asInt"] } },
                      fields: {
                        attributes: f(kv, 7, "repeated"),
                        startTimeUnixNano: f("fixed64", 2),
                        timeUnixNano: f("fixed64", 3),
                        asDouble: f("double", 4),
                        asInt: f("sfixed64", 6),
                        flags: f("uint32", 8),
                      },
                    },
                    HistogramDataPoint: {
                      fields: {
                        attributes: f(kv, 9, "repeated"),
                        startTimeUnixNano: f("fixed64", 2),
                        timeUnixNano: f("fixed64", 3),
                        count: f("fixed64", 4),
                        sum: f("double", 5),
                        flags: f("uint32", 10),
                      },
                    },
                  },
                },
              },
            },
            collector: {
              nested: {
                logs: {
                  nested: {
                    v1: {
                      nested: {
                        ExportLogsServiceRequest: {
                          fields: {
                            resourceLogs: f(
                              "opentelemetry.proto.logs.v1.ResourceLogs",
                              1,
                              "repeated",
                            ),
                          },
                        },
                      },
                    },
                  },
                },
                metrics: {
                  nested: {
                    v1: {
                      nested: {
                        ExportMetricsServiceRequest: {
                          fields: {
                            resourceMetrics: f(
                              "opentelemetry.proto.metrics.v1.ResourceMetrics",
                              1,
                              "repeated",
                            ),
                          },
                        },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
};
