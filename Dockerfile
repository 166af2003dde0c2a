FROM golang:1.24 AS builder
RUN useradd -u 10001 scratchuser
WORKDIR /app
COPY app/ .
RUN CGO_ENABLED=0 go build -o /go/bin/app .

FROM scratch
COPY --from=builder /etc/passwd /etc/passwd
COPY --from=builder /go/bin/app /app
USER scratchuser
ENTRYPOINT ["/app"]
