"""Eden AI's wire, parsed without I/O, OpenTelemetry or an HTTP client.

What a request asked for, and the response observer: body bytes in, an observation out
(including where the usage frame we asked for sits, so it can be hidden from the app).
"""
