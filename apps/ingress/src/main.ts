import 'reflect-metadata';
import { startService } from '@switchyard/runtime';
import { bootstrap } from './bootstrap';
import { SERVICE } from './config';

// On its own, or handed to a co-located host (`switchyard serve`) that starts it with its own port.
startService(SERVICE, bootstrap);
