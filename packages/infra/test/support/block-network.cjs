// Preloaded (node --require) into a synth that must work offline: any attempt
// to open a network connection or resolve a name throws, failing the synth.
const dns = require('node:dns');
const net = require('node:net');
const dgram = require('node:dgram');

function refuse(what) {
  return function () {
    throw new Error(`network access attempted during synth: ${what}`);
  };
}
net.Socket.prototype.connect = refuse('net.Socket#connect');
dns.lookup = refuse('dns.lookup');
dns.resolve = refuse('dns.resolve');
dns.promises.lookup = refuse('dns.promises.lookup');
dns.promises.resolve = refuse('dns.promises.resolve');
dgram.createSocket = refuse('dgram.createSocket');
