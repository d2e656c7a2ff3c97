import { render } from 'preact'
import { detectAuthMode } from './api/auth-mode.ts'
import { App } from './app.tsx'
import './styles/base.css'
import './styles/layout.css'
import './styles/chat.css'
import './styles/tables.css'
import './styles/cards.css'

void detectAuthMode()
render(<App />, document.getElementById('app')!)
