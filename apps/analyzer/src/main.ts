import 'reflect-metadata';
import { runService } from '@switchyard/runtime';
import { bootstrap } from './bootstrap';

runService(() => bootstrap());
